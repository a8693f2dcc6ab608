ALTER TABLE `deployments` ADD `on_demand` text;--> statement-breakpoint
ALTER TABLE `deployments` ADD `last_request_at` integer;--> statement-breakpoint
ALTER TABLE `gateway_requests` ADD `load_wait_ms` integer;