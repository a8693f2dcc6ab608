CREATE TABLE `fit_calibrations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`deployment_id` text NOT NULL,
	`deployment` text NOT NULL,
	`node` text NOT NULL,
	`gpus` text NOT NULL,
	`model` text NOT NULL,
	`engine` text NOT NULL,
	`options_hash` text NOT NULL,
	`options` text NOT NULL,
	`estimated_bytes` integer NOT NULL,
	`estimated_overhead_bytes` integer NOT NULL,
	`measured_bytes` integer NOT NULL,
	`ready_at` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `fit_calibrations_model_idx` ON `fit_calibrations` (`model`,`engine`,`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `fit_calibrations_start_idx` ON `fit_calibrations` (`deployment_id`,`ready_at`);