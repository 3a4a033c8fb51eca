import bcrypt from 'bcryptjs';

/** bcrypt cost: about 50–100 ms per check in bcryptjs, slow enough to resist guessing. */
export const BCRYPT_ROUNDS = 10;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_ROUNDS);
}

/** A hash of no real password, compared against when the user does not exist (same timing). */
const DUMMY_HASH = bcrypt.hashSync('dagctl-no-such-user', BCRYPT_ROUNDS);

export async function checkPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash) {
    await bcrypt.compare(password, DUMMY_HASH);
    return false;
  }
  try {
    return await bcrypt.compare(password, hash);
  } catch {
    return false;
  }
}
