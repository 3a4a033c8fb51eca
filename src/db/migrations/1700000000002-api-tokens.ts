import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Web server credentials besides passwords: API tokens (bearer auth for scripts) and server-side
 * login sessions. Only SHA-256 hashes of the secrets are stored, so a leaked database does not
 * leak working tokens or session cookies.
 */
export class ApiTokens1700000000002 implements MigrationInterface {
  name = 'ApiTokens1700000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'api_token',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'user_id', type: 'integer', isNullable: false },
          { name: 'name', type: 'varchar', length: '100', isNullable: false },
          { name: 'token_hash', type: 'varchar', length: '64', isNullable: false },
          { name: 'token_prefix', type: 'varchar', length: '16', isNullable: false },
          { name: 'created_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'expires_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'last_used_at', type: 'varchar', length: '32', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'api_token_hash_key', columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({ name: 'api_token_user', columnNames: ['user_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'web_session',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'user_id', type: 'integer', isNullable: false },
          { name: 'csrf_token', type: 'varchar', length: '64', isNullable: false },
          { name: 'created_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'expires_at', type: 'varchar', length: '32', isNullable: false },
        ],
        indices: [
          new TableIndex({ name: 'web_session_user', columnNames: ['user_id'] }),
          new TableIndex({ name: 'web_session_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('web_session', true);
    await q.dropTable('api_token', true);
  }
}
