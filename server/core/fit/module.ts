/**
 * The fit area as the composition root wires it: the Hub source (cached under SWITCHYARD_DATA),
 * the calibrations repository, the service the REST API uses, the deployments' placement hook,
 * and the recorder that measures ready deployments.
 */
import path from "node:path";
import { createLogger } from "../../../lib/logger";
import type { DbHandle } from "../../db/client";
import { fitRepo } from "../../db/repos/fit-repo";
import type { FitEstimator } from "../deployments/fit-hook";
import type { Fleet } from "../fleet";
import type { Secrets } from "../secrets";
import { createCalibrationRecorder, type Recorder, type RecorderDeps } from "./calibration-recorder";
import { createHubSource } from "./hub";
import { placementEstimator } from "./placement-estimator";
import { createFitService, type FitService } from "./service";

export interface FitModuleDeps {
  db: DbHandle;
  fleet: Fleet;
  secrets: Pick<Secrets, "hfToken">;
  dataDir: string;
  hfEndpoint: string;
}

export interface FitModule {
  service: FitService;
  placement: FitEstimator;
  /** Starts measuring ready deployments (on the leader only, with several servers); close() stops it. */
  recordCalibrations(deployments: RecorderDeps["deployments"], isLeader?: () => boolean): Recorder;
}

export function createFitModule(deps: FitModuleDeps): FitModule {
  const log = createLogger("fit");
  const repo = fitRepo(deps.db);
  const hub = createHubSource({ endpoint: deps.hfEndpoint, cacheDir: path.join(deps.dataDir, "hf-cache"), token: deps.secrets.hfToken, log });
  const service = createFitService({ fleet: deps.fleet, repo, hub, log });
  return {
    service,
    placement: placementEstimator(service, log),
    recordCalibrations: (deployments, isLeader) => createCalibrationRecorder({ deployments, fleet: deps.fleet, fit: service, repo, log, isLeader }),
  };
}
