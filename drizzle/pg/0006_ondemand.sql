ALTER TABLE "deployments" ADD COLUMN "on_demand" text;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "last_request_at" bigint;--> statement-breakpoint
ALTER TABLE "gateway_requests" ADD COLUMN "load_wait_ms" integer;