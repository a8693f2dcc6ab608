CREATE TABLE `gateway_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`hash` text NOT NULL,
	`prefix` text NOT NULL,
	`source` text NOT NULL,
	`models` text,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`last_used_at` integer,
	`requests` integer DEFAULT 0 NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gateway_keys_name_unique` ON `gateway_keys` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `gateway_keys_hash_unique` ON `gateway_keys` (`hash`);--> statement-breakpoint
CREATE TABLE `gateway_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ts` integer NOT NULL,
	`key_name` text,
	`endpoint` text NOT NULL,
	`model_asked` text,
	`target` text,
	`attempts` integer NOT NULL,
	`failovers` integer NOT NULL,
	`status` integer NOT NULL,
	`stream` integer NOT NULL,
	`ttft_ms` integer,
	`duration_ms` integer NOT NULL,
	`input_tokens` integer,
	`output_tokens` integer,
	`error` text,
	`body` text
);
--> statement-breakpoint
CREATE INDEX `gateway_requests_ts_idx` ON `gateway_requests` (`ts`);--> statement-breakpoint
CREATE TABLE `gateway_routes` (
	`model` text PRIMARY KEY NOT NULL,
	`targets` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
