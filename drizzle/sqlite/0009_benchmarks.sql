CREATE TABLE `benchmarks` (
	`id` text PRIMARY KEY NOT NULL,
	`model` text NOT NULL,
	`state` text NOT NULL,
	`params` text NOT NULL,
	`context` text NOT NULL,
	`runs` text NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	`server_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `benchmarks_created_idx` ON `benchmarks` (`created_at`);