import { describe, expect, it } from 'vitest';
import { algorithmByTaskDefinition } from '../../src/adapters/aws/task-definition-match.ts';

const ARN = (family: string, revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;

describe('algorithmByTaskDefinition', () => {
  const configured: Record<string, string> = {
    segment: 'loadmaster-segment', // a family: any revision
    thumbs: 'thumbs:4', // one revision
    'thumbs-next': 'thumbs', // the same family, any other revision
    stitch: ARN('stitching', 2), // an ARN
    infer: 'shared', // two algorithms on one task definition
    'infer-large': 'shared',
  };
  const algorithmOf = algorithmByTaskDefinition(Object.keys(configured), (a) => configured[a]!);

  it('matches a family to any of its revisions, and a revision exactly before its family', () => {
    expect(algorithmOf(ARN('loadmaster-segment', 17))).toBe('segment');
    expect(algorithmOf(ARN('thumbs', 4))).toBe('thumbs');
    expect(algorithmOf(ARN('thumbs', 5))).toBe('thumbs-next');
  });

  it('matches a configured ARN by its family and revision', () => {
    expect(algorithmOf(ARN('stitching', 2))).toBe('stitch');
    expect(algorithmOf(ARN('stitching', 3))).toBeUndefined();
  });

  it('names no algorithm for a task definition two share, or none is configured with', () => {
    expect(algorithmOf(ARN('shared', 1))).toBeUndefined();
    expect(algorithmOf(ARN('someone-else', 1))).toBeUndefined();
    expect(algorithmByTaskDefinition([], () => 'x')(ARN('x', 1))).toBeUndefined();
  });
});
