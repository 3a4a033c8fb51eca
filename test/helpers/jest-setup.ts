// Quiet logs in tests unless asked for (DAGCTL_TEST_LOG_LEVEL=info npm test).
process.env.DAGCTL__LOGGING__LEVEL ??= process.env.DAGCTL_TEST_LOG_LEVEL ?? 'warn';
