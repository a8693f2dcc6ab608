CREATE TABLE `deployments` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`node` text NOT NULL,
	`spec` text NOT NULL,
	`desired` text DEFAULT 'running' NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`logs` text,
	`container_id` text,
	`port` integer,
	`restarts` integer DEFAULT 0 NOT NULL,
	`warnings` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`started_at` integer,
	`ready_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deployments_name_unique` ON `deployments` (`name`);--> statement-breakpoint
CREATE INDEX `deployments_node_idx` ON `deployments` (`node`);