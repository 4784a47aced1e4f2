import AoftopTestSupport
import Foundation

// INFO texts for the parser tests. Stored with LF line ends; `crlf(_:)` restores the CRLF Redis sends.

/// Captured from the local Debian redis-server 7.0.15 (shared with the recording tests).
let info7015 = CapturedInfo.redis7015

/// Redis 2.8.4 (Ubuntu 14.04 era), AOF off: no aof_current_size/aof_base_size, no maxclients, no total_forks. Field list per genRedisInfoString of 2.8.
let info284 = """
# Server
redis_version:2.8.4
redis_git_sha1:00000000
redis_git_dirty:0
redis_build_id:a44a05d76f06a5d9
redis_mode:standalone
os:Linux 3.13.0-24-generic x86_64
arch_bits:64
multiplexing_api:epoll
gcc_version:4.8.2
process_id:1187
run_id:4a5a0a3b5d8b52ab1a1a4cde0d6d5e0d3b2c1f10
tcp_port:6379
uptime_in_seconds:86412
uptime_in_days:1
hz:10
lru_clock:1372611

# Clients
connected_clients:7
client_longest_output_list:0
client_biggest_input_buf:0
blocked_clients:0

# Memory
used_memory:1007536
used_memory_human:983.92K
used_memory_rss:2355200
used_memory_peak:1032104
used_memory_peak_human:1007.91K
used_memory_lua:33792
mem_fragmentation_ratio:2.34
mem_allocator:jemalloc-3.4.1

# Persistence
loading:0
rdb_changes_since_last_save:12
rdb_bgsave_in_progress:0
rdb_last_save_time:1500000000
rdb_last_bgsave_status:ok
rdb_last_bgsave_time_sec:0
rdb_current_bgsave_time_sec:-1
aof_enabled:0
aof_rewrite_in_progress:0
aof_rewrite_scheduled:0
aof_last_rewrite_time_sec:-1
aof_current_rewrite_time_sec:-1
aof_last_bgrewrite_status:ok

# Stats
total_connections_received:523
total_commands_processed:99213
instantaneous_ops_per_sec:3
rejected_connections:0
sync_full:0
sync_partial_ok:0
sync_partial_err:0
expired_keys:4
evicted_keys:0
keyspace_hits:1200
keyspace_misses:31
pubsub_channels:0
pubsub_patterns:0
latest_fork_usec:411

# Replication
role:master
connected_slaves:0
master_repl_offset:0
repl_backlog_active:0
repl_backlog_size:1048576
repl_backlog_first_byte_offset:0
repl_backlog_histlen:0

# CPU
used_cpu_sys:12.50
used_cpu_user:7.25
used_cpu_sys_children:0.01
used_cpu_user_children:0.00

# Keyspace
db0:keys=42,expires=3,avg_ttl=8123
"""

/// Redis 3.2.8, the blog's leaking version: AOF on, 499 clients, `aof_last_bgrewrite_status:ok` despite the leak.
let info328 = """
# Server
redis_version:3.2.8
redis_git_sha1:00000000
redis_git_dirty:0
redis_build_id:d8ad5b3a1c4a27b7
redis_mode:standalone
os:Linux 4.4.0-62-generic x86_64
arch_bits:64
multiplexing_api:epoll
gcc_version:5.4.0
process_id:1838
run_id:0f0c3ad1bb2a6d1a51b5c4b2c5ab4b3a2d1c0e9f
tcp_port:6379
uptime_in_seconds:39722
uptime_in_days:0
hz:10
lru_clock:9453312
executable:/usr/local/bin/redis-server
config_file:/etc/redis/6379.conf

# Clients
connected_clients:499
client_longest_output_list:0
client_biggest_input_buf:0
blocked_clients:0

# Memory
used_memory:21474836480
used_memory_human:20.00G
used_memory_rss:22548578304
used_memory_rss_human:21.00G
used_memory_peak:21474836480
used_memory_peak_human:20.00G
total_system_memory:33737633792
total_system_memory_human:31.42G
used_memory_lua:37888
used_memory_lua_human:37.00K
maxmemory:0
maxmemory_human:0B
maxmemory_policy:noeviction
mem_fragmentation_ratio:1.05
mem_allocator:jemalloc-4.0.3

# Persistence
loading:0
rdb_changes_since_last_save:883771
rdb_bgsave_in_progress:0
rdb_last_save_time:1499990000
rdb_last_bgsave_status:ok
rdb_last_bgsave_time_sec:-1
rdb_current_bgsave_time_sec:-1
aof_enabled:1
aof_rewrite_in_progress:0
aof_rewrite_scheduled:0
aof_last_rewrite_time_sec:-1
aof_current_rewrite_time_sec:-1
aof_last_bgrewrite_status:ok
aof_last_write_status:ok
aof_current_size:9876543210
aof_base_size:4938271605
aof_pending_rewrite:0
aof_buffer_length:0
aof_rewrite_buffer_length:0
aof_pending_bio_fsync:0
aof_delayed_fsync:0

# Stats
total_connections_received:10734
total_commands_processed:51234123
instantaneous_ops_per_sec:1021
total_net_input_bytes:9238123123
total_net_output_bytes:1823123123
instantaneous_input_kbps:81.20
instantaneous_output_kbps:20.11
rejected_connections:0
sync_full:0
sync_partial_ok:0
sync_partial_err:0
expired_keys:0
evicted_keys:0
keyspace_hits:123123
keyspace_misses:1231
pubsub_channels:0
pubsub_patterns:0
latest_fork_usec:0
migrate_cached_sockets:0

# Replication
role:master
connected_slaves:0
master_repl_offset:0
repl_backlog_active:0
repl_backlog_size:1048576
repl_backlog_first_byte_offset:0
repl_backlog_histlen:0

# CPU
used_cpu_sys:1223.45
used_cpu_user:845.10
used_cpu_sys_children:0.00
used_cpu_user_children:0.00

# Cluster
cluster_enabled:0

# Keyspace
db0:keys=1200345,expires=0,avg_ttl=0
"""

/// Valkey 8.0: `redis_version` (compatibility, listed first), `server_name`, `valkey_version`.
let infoValkey802 = """
# Server
redis_version:7.2.4
server_name:valkey
valkey_version:8.0.2
redis_git_sha1:00000000
redis_git_dirty:0
redis_build_id:8c2b1d2e4f5a6b7c
redis_mode:standalone
os:Linux 6.1.0-28-amd64 x86_64
arch_bits:64
monotonic_clock:POSIX clock_gettime
multiplexing_api:epoll
atomicvar_api:c11-builtin
gcc_version:12.2.0
process_id:4242
process_supervised:systemd
run_id:3c8a9d2f1e0b4a5c6d7e8f9a0b1c2d3e4f5a6b7c
tcp_port:6380
server_time_usec:1732210792123456
uptime_in_seconds:3600
uptime_in_days:0
hz:10
configured_hz:10
lru_clock:12345678
executable:/usr/bin/valkey-server
config_file:/etc/valkey/valkey.conf
io_threads_active:0
availability_zone:
listener0:name=tcp,bind=127.0.0.1,bind=-::1,port=6380

# Clients
connected_clients:3
cluster_connections:0
maxclients:10000
client_recent_max_input_buffer:0
client_recent_max_output_buffer:0
blocked_clients:0
tracking_clients:0
pubsub_clients:0
watching_clients:0
clients_in_timeout_table:0
total_watched_keys:0
total_blocking_keys:0
total_blocking_keys_on_nokey:0

# Memory
used_memory:1094912
used_memory_human:1.04M
used_memory_rss:11993088
used_memory_peak:1094912
maxmemory:0
maxmemory_policy:noeviction
mem_fragmentation_ratio:11.08
mem_allocator:jemalloc-5.3.0

# Persistence
loading:0
async_loading:0
current_cow_peak:0
current_cow_size:0
current_cow_size_age:0
current_fork_perc:0.00
current_save_keys_processed:0
current_save_keys_total:0
rdb_changes_since_last_save:0
rdb_bgsave_in_progress:0
rdb_last_save_time:1732207192
rdb_last_bgsave_status:err
rdb_last_bgsave_time_sec:-1
rdb_current_bgsave_time_sec:-1
rdb_saves:2
rdb_last_cow_size:0
rdb_last_load_keys_expired:0
rdb_last_load_keys_loaded:0
aof_enabled:1
aof_rewrite_in_progress:0
aof_rewrite_scheduled:1
aof_last_rewrite_time_sec:-1
aof_current_rewrite_time_sec:-1
aof_last_bgrewrite_status:err
aof_rewrites:7
aof_rewrites_consecutive_failures:0
aof_last_write_status:ok
aof_last_cow_size:0
module_fork_in_progress:0
module_fork_last_cow_size:0
aof_current_size:20480
aof_base_size:88
aof_pending_rewrite:0
aof_buffer_length:0
aof_pending_bio_fsync:0
aof_delayed_fsync:0

# Stats
total_connections_received:17
total_commands_processed:301
instantaneous_ops_per_sec:0
rejected_connections:2
sync_full:0
expired_keys:0
evicted_keys:0
latest_fork_usec:512
total_forks:9
migrate_cached_sockets:0
total_error_replies:3

# Replication
role:master
connected_slaves:0
replicas_waiting_psync:0
master_failover_state:no-failover
master_replid:5a1b2c3d4e5f60718293a4b5c6d7e8f901234567
master_repl_offset:0
repl_backlog_active:0

# CPU
used_cpu_sys:1.20
used_cpu_user:0.80

# Cluster
cluster_enabled:0

# Keyspace
"""

func crlf(_ text: String) -> String { text.replacingOccurrences(of: "\n", with: "\r\n") }
