-- The connection holding the exported snapshot stays idle in its transaction for the whole copy
-- (hours): timeouts a role or database sets (idle_in_transaction_session_timeout would end it
-- after a few minutes) are switched off in that session. transaction_timeout exists from 17 on.
SELECT set_config(name, '0', false)
  FROM pg_settings
 WHERE name IN ('statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout',
                'idle_session_timeout', 'transaction_timeout');
