/**
 * The simulated Sales Agent: a model whose only memory is its ModelState. What it says
 * shows what it remembers, so a lost or rolled-back context is visible in the transcript
 * as well as in the journal: it refers back to facts the prospect gave, and with an empty
 * context it greets again as a stranger.
 */
import { Faker, en } from '@faker-js/faker';
import { mersenne53Randomizer } from '../../protocol/mersenne.ts';

export interface Exchange {
  readonly prospect: string;
  readonly agent: string;
}

/** What a handle captures (spec §5.1): the conversation up to the last completed agent turn. */
export interface ModelState {
  readonly greeting: string | null;
  readonly exchanges: readonly Exchange[];
}

export const emptyState = (): ModelState => ({ greeting: null, exchanges: [] });

/** Turns in a state = prospect messages that are part of it (spec §4). */
export const turnsOf = (state: ModelState): number => state.exchanges.length;

export interface Facts {
  name?: string;
  company?: string;
  need?: string;
}

const NAME = /\b(?:I'm|I am|this is|my name is|name's)\s+([A-Z][\p{L}'-]+(?:\s+[A-Z][\p{L}'-]+)?)/u;
const COMPANY = /\b(?:from|at|with|work for)\s+([A-Z][\p{L}0-9&.'-]*(?:[ ,]+(?:and\s+)?[A-Z][\p{L}0-9&.'-]*)*)/u;
const NEED = /\b(?:we need|we're looking for|looking for|struggling with|need help with|we want)\s+([^.!?]{3,80})/iu;

/** Facts the prospect stated anywhere in the context, earliest mention first. */
export function factsOf(state: ModelState): Facts {
  const facts: Facts = {};
  for (const { prospect } of state.exchanges) {
    facts.name ??= NAME.exec(prospect)?.[1];
    facts.company ??= COMPANY.exec(prospect)?.[1]?.replace(/[,\s]+$/, '');
    facts.need ??= NEED.exec(prospect)?.[1]?.trim();
  }
  return facts;
}

export interface SalesAgentOptions {
  seed: number;
  agentName?: string;
  product?: string;
}

export class SalesAgent {
  private readonly seed: number;
  readonly agentName: string;
  readonly product: string;

  constructor(options: SalesAgentOptions) {
    this.seed = options.seed;
    const faker = this.fakerFor('identity', 0);
    this.agentName = options.agentName ?? faker.person.firstName();
    this.product = options.product ?? `${faker.company.buzzAdjective()} ${faker.company.buzzNoun()} platform`.replace(/^\w/, (c) => c.toUpperCase());
  }

  /** Turn 0: the agent speaks first on a fresh model session, as to a stranger. */
  greet(conversationSalt: number): string {
    const faker = this.fakerFor('greeting', conversationSalt);
    const opener = faker.helpers.arrayElement(['Hello', 'Hi there', 'Good morning', 'Hey, thanks for taking the call']);
    return `${opener}! I'm ${this.agentName} from the ${this.product} team. Who am I speaking with, and what brings you here today?`;
  }

  /** The reply to `prospect` given everything in `state`, which does not yet include it. */
  reply(state: ModelState, prospect: string): string {
    const turn = turnsOf(state) + 1;
    const faker = this.fakerFor('reply', turn);
    const facts = factsOf({ greeting: state.greeting, exchanges: [...state.exchanges, { prospect, agent: '' }] });
    if (state.greeting === null && state.exchanges.length === 0) {
      // No context at all: the model has never spoken to this person. A model that waits to be
      // spoken to (Gemini's) hears an introduction first and answers it; anything else it meets
      // as a stranger, which is how a lost context shows in its words.
      if (facts.name) return `Nice to meet you, ${facts.name.split(' ')[0]}. I'm ${this.agentName} from the ${this.product} team. What brings you here today?`;
      return `Sorry, I don't think we've spoken before. I'm ${this.agentName}; could you tell me who you are and what you need?`;
    }
    const parts: string[] = [];
    parts.push(facts.name ? `Thanks, ${facts.name.split(' ')[0]}.` : 'Thanks for that.');
    if (facts.company && turn > 1) parts.push(`For a team like ${facts.company}, that matters.`);
    if (facts.need) parts.push(`You mentioned ${facts.need}; ${this.product} handles that with ${faker.company.buzzPhrase()}.`);
    else parts.push(`${this.product} is built for ${faker.company.buzzPhrase()}.`);
    parts.push(`That's point ${turn} we've covered.`);
    parts.push(faker.helpers.arrayElement([
      'What does your current process look like?',
      'Who else would be involved in the decision?',
      'What would success look like in three months?',
      'Is budget already set aside for this?',
      'What have you tried so far?',
      'Would a short pilot help?',
    ]));
    return parts.join(' ');
  }

  private fakerFor(purpose: string, index: number): Faker {
    sharedFaker ??= new Faker({ locale: [en], randomizer: mersenne53Randomizer() });
    sharedFaker.seed([this.seed, hash(purpose), index]);
    return sharedFaker;
  }
}

// One Faker for the process, re-seeded before every use: building one merges locale data and
// costs far more than drawing from it, and a re-seeded instance draws exactly what a new one would.
// Faker's own Mersenne Twister, re-seeded faster (protocol/mersenne.ts): the same words.
let sharedFaker: Faker | null = null;

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Splits a reply into the transcript chunks of one agent turn (the last one is final). */
export function chunksOf(text: string, count: number): string[] {
  const words = text.split(' ');
  const n = Math.max(1, Math.min(count, words.length));
  const size = Math.ceil(words.length / n);
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(' '));
  return out;
}
