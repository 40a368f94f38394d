/**
 * Passwords: argon2id hashes with OWASP's parameters (19 MiB, 2 passes, 1
 * lane), verified in constant time by the library; bcrypt hashes imported
 * from elsewhere are verified too (never made), and replaced by argon2id at
 * the next login, as are argon2 hashes of weaker parameters.
 */

// Both libraries are loaded on first use (argon2 is a native addon): a
// server that nobody logs in to never loads them.
const argon2 = (): Promise<typeof import('@node-rs/argon2')> => import('@node-rs/argon2');
const bcryptjs = async (): Promise<typeof import('bcryptjs').default> =>
  (await import('bcryptjs')).default;

/** The argon2id parameters new hashes are made with (OWASP Password Storage Cheat Sheet). */
export const ARGON2_PARAMETERS = Object.freeze({
  /** `Algorithm.Argon2id` of `@node-rs/argon2` (a const enum, which cannot be imported here). */
  algorithm: 2 as const,
  /** KiB. */
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

/** The password policy. */
export const PASSWORD_POLICY = Object.freeze({
  /** Characters (code points) at least. */
  minLength: 12,
  /** Bytes (UTF-8) at most: hashing is bounded whatever is sent. */
  maxBytes: 1_024,
  /** bcrypt reads this many bytes only: a longer password is refused against a bcrypt hash, never truncated. */
  bcryptMaxBytes: 72,
  /** The lowest bcrypt cost accepted for an imported hash. */
  bcryptMinCost: 10,
});

/**
 * A few of the most used passwords (those long enough to pass the length
 * rule): refused whatever their case.
 */
const COMMON = new Set([
  'password1234',
  'password12345',
  'password123456',
  '123456789012',
  '1234567890123',
  'qwertyuiop12',
  'qwerty123456',
  'iloveyou1234',
  'administrator',
  'letmein12345',
  'welcome12345',
  'changeme1234',
  'passw0rd1234',
  'alertbase123',
  'alertbase1234',
]);

/** Why a password is refused; `undefined` when it is accepted. */
export function passwordProblem(
  password: string,
  context: { readonly email?: string } = {},
): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_POLICY.minLength) {
    return `expected at least ${PASSWORD_POLICY.minLength} characters`;
  }
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_POLICY.maxBytes) {
    return `expected at most ${PASSWORD_POLICY.maxBytes} bytes`;
  }
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'this password is among the most used ones';
  if (new Set(password).size < 4) return 'expected more than three different characters';
  const email = context.email?.toLowerCase();
  if (email !== undefined && (lower === email || lower === email.split('@')[0])) {
    return 'the password may not be the e-mail address';
  }
  return undefined;
}

/** A new argon2id hash of `password` (PHC string, `$argon2id$v=19$m=19456,t=2,p=1$…`). */
export async function hashPassword(password: string): Promise<string> {
  return (await argon2()).hash(password, ARGON2_PARAMETERS);
}

/** What {@link verifyPassword} says. */
export interface PasswordVerdict {
  readonly ok: boolean;
  /** The hash should be replaced by {@link hashPassword}'s (bcrypt, or weaker argon2 parameters). */
  readonly rehash: boolean;
}

/** Is an argon2 PHC string made with the current algorithm and parameters? */
function argon2Current(stored: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
  return (
    m !== null &&
    Number(m[1]) >= ARGON2_PARAMETERS.memoryCost &&
    Number(m[2]) >= ARGON2_PARAMETERS.timeCost &&
    Number(m[3]) >= ARGON2_PARAMETERS.parallelism
  );
}

/** A fixed argon2id hash to verify against when there is no user, so timing does not tell. */
let decoy: Promise<string> | undefined;

/**
 * Checks `password` against a stored hash: argon2 (`$argon2…`) or bcrypt
 * (`$2a$`, `$2b$`, `$2y$`, cost at least 10). A password over bcrypt's 72
 * bytes never matches a bcrypt hash (bcrypt would compare its first 72
 * bytes only). `stored` `undefined` (no such user) spends the time of a
 * verification and answers no.
 */
export async function verifyPassword(
  password: string,
  stored: string | undefined,
): Promise<PasswordVerdict> {
  const no = { ok: false, rehash: false };
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_POLICY.maxBytes) return no;
  if (stored === undefined) {
    decoy ??= hashPassword('alertbase decoy password');
    const { verify } = await argon2();
    await verify(await decoy, password).catch(() => false);
    return no;
  }
  if (stored.startsWith('$argon2')) {
    const { verify } = await argon2();
    const ok = await verify(stored, password).catch(() => false);
    return { ok, rehash: ok && !argon2Current(stored) };
  }
  if (/^\$2[aby]\$/.test(stored)) {
    if (Buffer.byteLength(password, 'utf8') > PASSWORD_POLICY.bcryptMaxBytes) return no;
    const bcrypt = await bcryptjs();
    let cost: number;
    try {
      cost = bcrypt.getRounds(stored);
    } catch {
      return no;
    }
    if (cost < PASSWORD_POLICY.bcryptMinCost) return no;
    const ok = await bcrypt.compare(password, stored).catch(() => false);
    return { ok, rehash: ok };
  }
  return no;
}

/** Is `stored` a hash {@link verifyPassword} can check (to import users)? */
export function isPasswordHash(stored: string): boolean {
  return (
    /^\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.test(stored) ||
    /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(stored)
  );
}
