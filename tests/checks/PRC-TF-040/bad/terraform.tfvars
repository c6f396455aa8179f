# Production keeps two weeks; this environment was cut down to save money.
backup_days = 3
