CREATE TABLE `agent_refusals` (
	`node` text NOT NULL,
	`address` text NOT NULL,
	`code` text NOT NULL,
	`message` text NOT NULL,
	`count` integer NOT NULL,
	`first_at` integer NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`node`, `address`, `code`)
);
--> statement-breakpoint
CREATE INDEX `agent_refusals_last_idx` ON `agent_refusals` (`last_at`);--> statement-breakpoint
CREATE TABLE `join_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`used_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `join_tokens_token_hash_unique` ON `join_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `join_tokens_expiry_idx` ON `join_tokens` (`expires_at`);--> statement-breakpoint
CREATE TABLE `node_credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`node` text NOT NULL,
	`secret_hash` text NOT NULL,
	`via` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `node_credentials_secret_hash_unique` ON `node_credentials` (`secret_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `node_credentials_active_idx` ON `node_credentials` (`node`) WHERE revoked_at is null;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_gpus` (
	`uuid` text NOT NULL,
	`node_id` text NOT NULL,
	`gpu_index` integer NOT NULL,
	`name` text NOT NULL,
	`mem_total_mib` real,
	`power_limit_w` real,
	`last_seen` integer NOT NULL,
	PRIMARY KEY(`node_id`, `uuid`),
	FOREIGN KEY (`node_id`) REFERENCES `nodes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_gpus`("uuid", "node_id", "gpu_index", "name", "mem_total_mib", "power_limit_w", "last_seen") SELECT "uuid", "node_id", "gpu_index", "name", "mem_total_mib", "power_limit_w", "last_seen" FROM `gpus`;--> statement-breakpoint
DROP TABLE `gpus`;--> statement-breakpoint
ALTER TABLE `__new_gpus` RENAME TO `gpus`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE TABLE `__new_gpu_samples` (
	`node_id` text NOT NULL,
	`gpu_uuid` text NOT NULL,
	`resolution_s` integer NOT NULL,
	`ts` integer NOT NULL,
	`util_gpu_pct` real,
	`mem_used_mib` real,
	`temp_c` real,
	`power_w` real,
	PRIMARY KEY(`node_id`, `gpu_uuid`, `resolution_s`, `ts`)
);
--> statement-breakpoint
-- Hand-written: history was keyed by GPU UUID alone; each row goes to the node that owns the UUID.
INSERT INTO `__new_gpu_samples`("node_id", "gpu_uuid", "resolution_s", "ts", "util_gpu_pct", "mem_used_mib", "temp_c", "power_w") SELECT g."node_id", s."gpu_uuid", s."resolution_s", s."ts", s."util_gpu_pct", s."mem_used_mib", s."temp_c", s."power_w" FROM `gpu_samples` s JOIN `gpus` g ON g."uuid" = s."gpu_uuid";--> statement-breakpoint
DROP TABLE `gpu_samples`;--> statement-breakpoint
ALTER TABLE `__new_gpu_samples` RENAME TO `gpu_samples`;--> statement-breakpoint
CREATE INDEX `gpu_samples_age_idx` ON `gpu_samples` (`resolution_s`,`ts`);