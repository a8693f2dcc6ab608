CREATE TABLE `alert_channels` (
	`name` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`url_sealed` text NOT NULL,
	`url_masked` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alert_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`occurrence_id` integer,
	`channel` text NOT NULL,
	`notice` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alert_deliveries_occurrence_idx` ON `alert_deliveries` (`occurrence_id`);--> statement-breakpoint
CREATE INDEX `alert_deliveries_created_idx` ON `alert_deliveries` (`created_at`);--> statement-breakpoint
CREATE TABLE `alert_occurrences` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rule` text NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`subject` text NOT NULL,
	`message` text NOT NULL,
	`fired_at` integer NOT NULL,
	`resolved_at` integer
);
--> statement-breakpoint
CREATE INDEX `alert_occurrences_fired_idx` ON `alert_occurrences` (`fired_at`);--> statement-breakpoint
CREATE TABLE `alert_rules` (
	`name` text PRIMARY KEY NOT NULL,
	`spec` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alert_state` (
	`rule` text NOT NULL,
	`key` text NOT NULL,
	`occurrence_id` integer NOT NULL,
	`firing_since` integer NOT NULL,
	`notified_at` integer,
	PRIMARY KEY(`rule`, `key`)
);
