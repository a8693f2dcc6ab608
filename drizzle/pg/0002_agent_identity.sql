CREATE TABLE "agent_refusals" (
	"node" text NOT NULL,
	"address" text NOT NULL,
	"code" text NOT NULL,
	"message" text NOT NULL,
	"count" bigint NOT NULL,
	"first_at" bigint NOT NULL,
	"last_at" bigint NOT NULL,
	CONSTRAINT "agent_refusals_node_address_code_pk" PRIMARY KEY("node","address","code")
);
--> statement-breakpoint
CREATE TABLE "join_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"used_at" bigint,
	"used_by" text,
	CONSTRAINT "join_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "node_credentials" (
	"id" text PRIMARY KEY NOT NULL,
	"node" text NOT NULL,
	"secret_hash" text NOT NULL,
	"via" text NOT NULL,
	"created_at" bigint NOT NULL,
	"revoked_at" bigint,
	CONSTRAINT "node_credentials_secret_hash_unique" UNIQUE("secret_hash")
);
--> statement-breakpoint
-- Hand-written (drizzle-kit cannot name the old primary key, nor backfill): GPUs and their history
-- are keyed by node and GPU UUID; each history row goes to the node that owns its UUID.
DROP INDEX "gpus_node_idx";--> statement-breakpoint
ALTER TABLE "gpu_samples" ADD COLUMN "node_id" text;--> statement-breakpoint
UPDATE "gpu_samples" s SET "node_id" = g."node_id" FROM "gpus" g WHERE g."uuid" = s."gpu_uuid";--> statement-breakpoint
DELETE FROM "gpu_samples" WHERE "node_id" IS NULL;--> statement-breakpoint
ALTER TABLE "gpu_samples" ALTER COLUMN "node_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "gpu_samples" DROP CONSTRAINT "gpu_samples_gpu_uuid_resolution_s_ts_pk";--> statement-breakpoint
ALTER TABLE "gpu_samples" ADD CONSTRAINT "gpu_samples_node_id_gpu_uuid_resolution_s_ts_pk" PRIMARY KEY("node_id","gpu_uuid","resolution_s","ts");--> statement-breakpoint
ALTER TABLE "gpus" DROP CONSTRAINT "gpus_pkey";--> statement-breakpoint
ALTER TABLE "gpus" ADD CONSTRAINT "gpus_node_id_uuid_pk" PRIMARY KEY("node_id","uuid");--> statement-breakpoint
CREATE INDEX "agent_refusals_last_idx" ON "agent_refusals" USING btree ("last_at");--> statement-breakpoint
CREATE INDEX "join_tokens_expiry_idx" ON "join_tokens" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "node_credentials_active_idx" ON "node_credentials" USING btree ("node") WHERE revoked_at is null;