CREATE TABLE `gpu_samples` (
	`gpu_uuid` text NOT NULL,
	`resolution_s` integer NOT NULL,
	`ts` integer NOT NULL,
	`util_gpu_pct` real,
	`mem_used_mib` real,
	`temp_c` real,
	`power_w` real,
	PRIMARY KEY(`gpu_uuid`, `resolution_s`, `ts`)
);
--> statement-breakpoint
CREATE TABLE `gpus` (
	`uuid` text PRIMARY KEY NOT NULL,
	`node_id` text NOT NULL,
	`gpu_index` integer NOT NULL,
	`name` text NOT NULL,
	`mem_total_mib` real,
	`power_limit_w` real,
	`last_seen` integer NOT NULL,
	FOREIGN KEY (`node_id`) REFERENCES `nodes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `gpus_node_idx` ON `gpus` (`node_id`);--> statement-breakpoint
CREATE TABLE `host_samples` (
	`node_id` text NOT NULL,
	`resolution_s` integer NOT NULL,
	`ts` integer NOT NULL,
	`cpu_pct` real,
	`mem_used_bytes` real,
	PRIMARY KEY(`node_id`, `resolution_s`, `ts`)
);
--> statement-breakpoint
CREATE TABLE `nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`agent_version` text,
	`facts` text,
	`last_snapshot` text,
	`first_seen` integer NOT NULL,
	`last_seen` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `nodes_name_unique` ON `nodes` (`name`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
