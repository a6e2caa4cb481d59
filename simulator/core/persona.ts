/**
 * The prospect the simulator plays. Everything is derived from the seed alone, so a run can be
 * replayed byte for byte and the agent's answers can be checked against details the prospect
 * gave earlier (name, company, budget…): that is what makes lost context visible.
 */
import { Faker, en } from '@faker-js/faker';
import { mersenne53Randomizer } from '../../protocol/mersenne.ts';

export interface Persona {
  readonly seed: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly fullName: string;
  readonly company: string;
  readonly role: string;
  readonly city: string;
  readonly teamSize: number;
  readonly need: string;
  readonly currentTool: string;
  readonly pain: string;
  readonly budget: string;
  readonly timeline: string;
  readonly objections: readonly string[];
}

const NEEDS = [
  'a better way to qualify inbound leads',
  'a CRM our field sales team will actually use',
  'a tool to forecast our pipeline more accurately',
  'automated follow-ups after demos',
  'one place to track renewals and upsells',
  'call coaching for our new account executives',
  'a way to cut the time we spend on manual reporting',
] as const;

const CURRENT_TOOLS = ['spreadsheets', 'a home-grown CRM', 'Salesforce', 'HubSpot', 'email and sticky notes', 'Pipedrive'] as const;

const PAINS = [
  'half of our deals have no next step recorded',
  'nobody trusts the forecast numbers',
  'onboarding a new rep takes three months',
  'we lose track of leads after the first call',
  'reporting eats a full day every week',
] as const;

const TIMELINES = ['the next quarter', 'six weeks', 'the end of the year', 'two months', 'before our summer kickoff'] as const;

const OBJECTIONS = [
  'we tried a similar tool two years ago and adoption was terrible',
  'I am worried about the migration of our existing data',
  'your competitor quoted us quite a bit less',
  'our IT team is very strict about security reviews',
  'I need to get sign-off from our CFO, who is sceptical',
  'we are locked into our current contract for another few months',
  'my team is already overloaded and has no time for training',
] as const;

// Building a Faker merges its locale data and costs far more than drawing from it: one
// instance, re-seeded for every use, gives the same words as a fresh one per seed. Its
// randomizer is faker's own Mersenne Twister, re-seeded faster (protocol/mersenne.ts): the same words.
let shared: Faker | null = null;

function seededFaker(seed: number | number[]): Faker {
  shared ??= new Faker({ locale: [en], randomizer: mersenne53Randomizer() });
  shared.seed(seed);
  return shared;
}

export function createPersona(seed: number): Persona {
  const f = seededFaker(seed);
  const firstName = f.person.firstName();
  const lastName = f.person.lastName();
  const budgetThousands = f.number.int({ min: 8, max: 180 });
  return {
    seed,
    firstName,
    lastName,
    fullName: `${firstName} ${lastName}`,
    company: f.company.name(),
    role: f.person.jobTitle(),
    city: f.location.city(),
    teamSize: f.number.int({ min: 4, max: 250 }),
    need: f.helpers.arrayElement(NEEDS),
    currentTool: f.helpers.arrayElement(CURRENT_TOOLS),
    pain: f.helpers.arrayElement(PAINS),
    budget: `$${budgetThousands},000`,
    timeline: f.helpers.arrayElement(TIMELINES),
    objections: f.helpers.arrayElements(OBJECTIONS, 3),
  };
}

type Line = (p: Persona, f: Faker) => string;

/** The opening lines, in order: each gives the agent a detail a later turn refers back to. */
const OPENING: readonly Line[] = [
  (p) => `Hi, I'm ${p.fullName} from ${p.company}. I'm the ${p.role} there, and we're looking for ${p.need}.`,
  (p) => `Some context: we're a team of ${p.teamSize} people in ${p.city}. Today we use ${p.currentTool}, and honestly ${p.pain}.`,
  (p) => `Our budget for this is around ${p.budget} a year, so pricing matters a lot to me.`,
  (p) => `We'd want something in place within ${p.timeline}. Is that realistic for a company our size?`,
];

/** Later lines, cycled: they lean on earlier details so a context-less agent would stumble. */
const FOLLOW_UPS: readonly Line[] = [
  (p, f) => `To be honest, ${f.helpers.arrayElement(p.objections)}. How would you address that?`,
  (p) => `Going back to what I said about ${p.need}: how exactly would your product help with that?`,
  (p) => `How does that compare to ${p.currentTool}, which we use today?`,
  (p, f) => `Would that still fit in ${p.budget} if we grew to ${p.teamSize + f.number.int({ min: 5, max: 60 })} people?`,
  (p) => `Can you remind me what you'd propose for a ${p.role} at ${p.company}, in one sentence?`,
  (p, f) => `What would the first ${f.helpers.arrayElement(['week', 'month', 'thirty days'])} of onboarding look like for us?`,
  (p) => `Remember that ${p.pain}. Which feature fixes that first?`,
  (p, f) => `Is there a customer similar to us, maybe in ${f.location.city()}, that I could talk to?`,
  (p) => `If we started within ${p.timeline}, what would you need from me this week?`,
  (p) => `Let me make sure I got it right, ${p.firstName} here again: can you summarise what we agreed so far?`,
];

/**
 * The prospect's message number `turnIndex` (1-based: turn 0 is the agent's greeting). Depends only
 * on the persona's seed and the index, so a message re-sent after a resume is the same text.
 */
export function prospectMessage(persona: Persona, turnIndex: number): string {
  if (!Number.isInteger(turnIndex) || turnIndex < 1) throw new RangeError(`turn index must be an integer >= 1, got ${turnIndex}`);
  const f = seededFaker([persona.seed, turnIndex]);
  const opening = OPENING[turnIndex - 1];
  if (opening) return opening(persona, f);
  const followUp = FOLLOW_UPS[(turnIndex - 1 - OPENING.length) % FOLLOW_UPS.length] as Line;
  return followUp(persona, f);
}
