-- Apply and table-sync errors counted for subscription $1 (PostgreSQL 15 and later).
SELECT apply_error_count, sync_error_count, stats_reset::text AS stats_reset
  FROM pg_stat_subscription_stats
 WHERE subname = $1;
