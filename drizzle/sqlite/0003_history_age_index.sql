CREATE INDEX `gpu_samples_age_idx` ON `gpu_samples` (`resolution_s`,`ts`);--> statement-breakpoint
CREATE INDEX `host_samples_age_idx` ON `host_samples` (`resolution_s`,`ts`);