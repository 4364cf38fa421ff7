/** The record avsc encodes for a pooled tweet's content, as the generator should have written it. */
import type { TweetContent } from '../../src/generate/texts.js';

export const recordOf = (
  c: TweetContent,
  seq: number,
  id: number,
  createdAt: number,
  handle = c.handle,
  runId = 'run-1',
  producerId = 'run-1/p0.0',
) => ({
  run_id: runId,
  producer_id: producerId,
  seq,
  id,
  created_at: createdAt,
  user: { handle, followers: c.followers, verified: c.verified },
  text: c.text,
  brand: c.brand,
  product: c.product,
  hashtags: c.hashtags,
  lang: c.lang,
  sentiment: c.sentiment,
});
