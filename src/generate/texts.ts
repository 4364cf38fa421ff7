/**
 * Realistic tweet texts: brands with their products, templates per sentiment, handles, hashtags and emoji.
 * Texts are composed once at start into a pool; the hot path only picks from it.
 */

import type { Rng } from '../random.js';
import type { Sentiment } from './mix.js';

export const BRANDS: Record<string, readonly string[]> = {
  Apple: ['iPhone 17', 'MacBook Air', 'AirPods Pro', 'Apple Watch', 'iPad mini', 'Vision Pro'],
  Samsung: ['Galaxy S26', 'Galaxy Buds', 'Galaxy Watch', 'Z Fold', 'Odyssey monitor'],
  Nike: ['Air Max', 'Pegasus 42', 'Dunk Low', 'Vaporfly', 'Tech Fleece hoodie'],
  Adidas: ['Ultraboost', 'Samba', 'Gazelle', 'Adizero', 'Stan Smith'],
  Tesla: ['Model 3', 'Model Y', 'Cybertruck', 'Powerwall', 'FSD update'],
  Starbucks: ['pumpkin spice latte', 'cold brew', 'oat flat white', 'mobile order app', 'rewards program'],
  Netflix: ['new season', 'ad tier', 'password sharing rules', 'recommendations', 'live event stream'],
  Spotify: ['Wrapped', 'Discover Weekly', 'podcast app', 'AI DJ', 'family plan'],
  Amazon: ['Prime delivery', 'Kindle', 'Echo Dot', 'Fire TV', 'return process'],
  Google: ['Pixel 10', 'Gemini', 'Chrome update', 'Nest thermostat', 'Maps directions'],
  Sony: ['PlayStation 5', 'WH-1000XM6', 'Bravia TV', 'Xperia'],
  Lego: ['Technic set', 'Star Wars set', 'botanical collection', 'Icons series'],
};

const TEMPLATES: Record<Sentiment, readonly string[]> = {
  positive: [
    'Absolutely loving my new {product} from {brand} {emoji}',
    'Honestly the {product} is the best thing {brand} has made in years {emoji} {tag}',
    '{handle} you were right, the {brand} {product} is worth every cent',
    'Three weeks with the {product} and zero complaints. Well done {brand} {emoji}',
    'Shoutout to {brand} support, they sorted my {product} in 10 minutes {emoji}',
    'The {product} just made my whole morning better {emoji}{emoji2} {tag}',
    'Cannot stop recommending the {brand} {product} to everyone I know',
    'Wow. {brand} really nailed it with the {product} {tag} {tag2}',
    'Upgraded to the {product} today and it is so smooth {emoji}',
    'Five stars for the {product}. {brand} keeps getting it right {emoji}',
  ],
  negative: [
    'My {brand} {product} broke after two weeks. Not impressed {emoji}',
    'Third time calling {brand} about the {product} and still no fix {emoji} {tag}',
    '{handle} do not buy the {product}, total waste of money',
    'Why is the {brand} {product} so overpriced for what it does {emoji}',
    'The latest {product} update from {brand} made everything slower {emoji}{emoji2}',
    'Returned the {product}. {brand} quality control is a joke {tag}',
    'Waited 40 minutes for {brand} support about my {product}. Nobody answered {emoji}',
    'Honestly disappointed in the {product}, expected way more from {brand}',
    'Battery on the {brand} {product} dies before lunch {emoji} {tag} {tag2}',
    '{brand} please fix the {product}, it crashes every single day {emoji}',
  ],
  neutral: [
    '{brand} announced the {product} today, details on their site {tag}',
    'Anyone tried the {product} from {brand} yet? Thinking about it',
    'Picked up a {brand} {product} on the way home',
    'The {product} is on sale at {brand} this weekend {tag}',
    '{handle} is the {brand} {product} available in blue?',
    'Reading the {product} review from {handle} before deciding',
    '{brand} store downtown has the {product} in stock again',
    "Comparing the {product} with last year's model {tag} {tag2}",
    'Meeting at the {brand} store at 5 to look at the {product}',
    'New firmware for the {brand} {product} is rolling out this week',
  ],
};

const EMOJI: Record<Sentiment, readonly string[]> = {
  positive: ['😍', '🔥', '🙌', '💯', '😊', '🚀', '❤️', '👏', '✨', '🤩'],
  negative: ['😡', '😤', '👎', '🙄', '💔', '😞', '🤬', '😩', '🤦', '😒'],
  neutral: ['🤔', '👀', '📦', '🛒', '📱', '🗓️', 'ℹ️', '📍', '🔎', '💬'],
};

const HANDLE_PARTS = [
  'tech',
  'daily',
  'mike',
  'ana',
  'the',
  'real',
  'sam',
  'jo',
  'runner',
  'gamer',
  'coffee',
  'city',
  'nerd',
  'lisa',
  'max',
];
const GENERIC_TAGS = [
  '#review',
  '#tech',
  '#unboxing',
  '#customerservice',
  '#deal',
  '#fail',
  '#win',
  '#mondaymood',
  '#shopping',
  '#newrelease',
];

export interface TweetContent {
  handle: string;
  followers: number;
  verified: boolean;
  text: string;
  brand: string;
  product: string;
  hashtags: string[];
  lang: string;
  sentiment: Sentiment;
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

export function handle(rng: Rng): string {
  return `@${pick(rng, HANDLE_PARTS)}${pick(rng, HANDLE_PARTS)}${rng.int(1000)}`;
}

/** One tweet's content with a text whose tone matches its sentiment. */
export function composeTweet(rng: Rng, brands: readonly string[], sentiment: Sentiment): TweetContent {
  const brand = pick(rng, brands);
  const product = pick(rng, BRANDS[brand] ?? ['product']);
  const brandTag = `#${brand.toLowerCase()}`;
  const productTag = `#${product.replace(/[^A-Za-z0-9]/g, '').toLowerCase()}`;
  const tags = [brandTag, productTag, pick(rng, GENERIC_TAGS)];
  const text = pick(rng, TEMPLATES[sentiment])
    .replaceAll('{brand}', brand)
    .replaceAll('{product}', product)
    .replace('{handle}', handle(rng))
    .replace('{emoji}', pick(rng, EMOJI[sentiment]))
    .replace('{emoji2}', pick(rng, EMOJI[sentiment]))
    .replace('{tag}', tags[0])
    .replace('{tag2}', tags[2]);
  const used = tags.filter((t) => text.includes(t));
  const followersExp = rng.next() * 6; // 1 .. 1M followers, long-tailed like real accounts
  return {
    handle: handle(rng),
    followers: Math.floor(10 ** followersExp),
    verified: rng.next() < 0.03,
    text,
    brand,
    product,
    hashtags: used.length ? used : [productTag],
    lang: 'en',
    sentiment,
  };
}
