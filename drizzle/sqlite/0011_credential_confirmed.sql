ALTER TABLE `node_credentials` ADD `confirmed_at` integer;--> statement-breakpoint
-- Credentials that exist already were in use: confirmed.
UPDATE "node_credentials" SET "confirmed_at" = "created_at";