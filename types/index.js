// Runtime stand-in for the type-only entry (types/index.d.ts): `import type` needs nothing here.
export {};
