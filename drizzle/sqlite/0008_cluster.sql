CREATE TABLE `cluster_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` integer NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cluster_messages_created_idx` ON `cluster_messages` (`created_at`);--> statement-breakpoint
CREATE TABLE `cluster_presence` (
	`node` text PRIMARY KEY NOT NULL,
	`server_id` text NOT NULL,
	`address` text,
	`since` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `cluster_servers` (
	`id` text PRIMARY KEY NOT NULL,
	`label` text NOT NULL,
	`started_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL
);
