/** The fit endpoints for the dashboard (the fit page, the deploy form's verdict). */
import type { CalibrationView, FitMatrixView, FitRequest } from "../../protocol/fit";
import { apiFetch } from "./api";

export const fitApi = {
  matrix: (req: FitRequest, signal?: AbortSignal) =>
    apiFetch<FitMatrixView>("/api/fit/matrix", { method: "POST", body: JSON.stringify(req), signal }),
  calibrations: () => apiFetch<CalibrationView[]>("/api/fit/calibrations"),
};

export const fitKeys = {
  matrix: (req: FitRequest) => ["fit-matrix", req] as const,
  calibrations: ["fit-calibrations"] as const,
};
