export { WebAuth, submittedCsrfToken, type WebAuthOptions } from './web-auth';
export { userCan, USER_ROLES, type AuthUser, type AuthMethod, type UserRole } from './auth-user';
export { forbiddenDetail } from './web-auth';
export { createLoginRoutes, DEFAULT_LOGIN_RATE_LIMIT, type LoginRateLimit } from './login-routes';
export {
  ensureAdminUser,
  ADMIN_PASSWORD_ENV,
  ADMIN_PASSWORD_FILE,
  ADMIN_USERNAME,
  type EnsureAdminUserResult,
} from './ensure-admin-user';
export {
  createApiToken,
  listApiTokens,
  revokeApiToken,
  API_TOKEN_PREFIX,
  type ApiTokenInfo,
  type CreatedApiToken,
} from './api-tokens';
export { resolveSecretKey, SECRET_KEY_FILE } from './secret-key';
export { hashPassword, checkPassword } from './password-hash';
export { SESSION_COOKIE, CSRF_COOKIE } from './cookies';
export { safeRedirectTarget } from './safe-redirect';
