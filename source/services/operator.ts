// Who is acting: `user@host`, recorded with every decision and in the first audit record.
import { hostname, userInfo } from 'node:os';

export function operatorName(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for this uid (containers): keep $USER rather than stop the run.
  }
  return `${user}@${hostname()}`;
}
