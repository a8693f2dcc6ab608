ALTER TABLE "node_credentials" ADD COLUMN "confirmed_at" bigint;--> statement-breakpoint
-- Credentials that exist already were in use: confirmed.
UPDATE "node_credentials" SET "confirmed_at" = "created_at";