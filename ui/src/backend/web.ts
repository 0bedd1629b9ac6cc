// The browser transport: the same Backend as the window, over HTTPS to the records server
// that served this page (same origin, `/v1/...`). What only the desktop can do (offline copy,
// outbox, pinning) answers harmlessly or refuses in plain words; the screens hide it anyway.
import { type Backend, PAGE_ROWS, type Platform } from "./contract";
import { jsonBody, publicJson, uiErrorFrom } from "./web-http";
import * as records from "./web-records";
import * as session from "./web-session";
import * as uploads from "./web-upload";
import { StartBatcher } from "./web-upload-start";
import type { AppInfo, ClientConfig, SyncStatus, UiError } from "./types";

export const webPlatform: Platform = { kind: "browser", offline: false, pinning: false, saveDialog: false };

const DESKTOP_ONLY: UiError = { code: "invalid_input", message: "Offline copies need the Chartdesk desktop app" };
const desktopOnly = async (): Promise<never> => {
  throw DESKTOP_ONLY;
};
/** Always online, nothing waiting: the browser has no outbox. */
const idle = (): SyncStatus => ({ online: true, queued: 0, failed: 0, sent: 0, sent_doc_ids: [], checked_at: new Date().toISOString() });

let config: ClientConfig | null = null;
const clientConfig = async () => (config ??= await publicJson<ClientConfig>("/v1/client-config"));

// Whatever the session saw goes with it: reasons, record versions, thumbnail links.
session.onSessionEnded(records.forgetRecords);

const post = (mrn: string, path: string, body: unknown) => records.aboutPatient(mrn, path, jsonBody(body));
const starts = new StartBatcher(post);
const uploadDeps: uploads.UploadDeps = {
  post,
  start: (declared) => starts.start(declared),
  findRow: async (mrn, category, docId) =>
    (await records.listDocumentsPage(mrn, category, null, PAGE_ROWS)).rows.find((r) => r.id === docId) ?? null,
  policy: clientConfig,
};

export const webBackend: Backend = {
  appInfo: async (): Promise<AppInfo> => {
    try {
      const c = await clientConfig();
      return { profile: "web", sandbox: c.sandbox, version: c.version, idle_lock_seconds: c.idle_lock_seconds, startup_error: null };
    } catch (e) {
      const err = "code" in (e as object) ? (e as UiError) : uiErrorFrom(null);
      return { profile: "web", sandbox: false, version: "", idle_lock_seconds: 300, startup_error: err };
    }
  },
  signIn: session.signIn,
  completeNewPassword: session.completeNewPassword,
  completeTotp: session.completeTotp,
  completeMfaSetup: session.completeMfaSetup,
  signOut: session.signOut,
  // Nothing survives a reload: a new page always starts at the sign-in form.
  resumeSession: async () => null,
  lockSession: session.lockSession,
  unlockSession: session.unlockSession,
  findPatient: records.findPatient,
  breakGlassReasons: async () => (await clientConfig()).break_glass_reasons,
  accessHistory: records.accessHistory,
  virusAlerts: records.virusAlerts,
  exportRecordFhir: desktopOnly,
  revalidatePatient: records.revalidatePatient,
  recordVersion: records.recordVersion,
  searchOffline: async () => [],
  outbox: async () => [],
  retryOutboxItem: desktopOnly,
  discardOutboxItem: desktopOnly,
  resetOfflineData: desktopOnly,
  syncNow: async () => idle(),
  pinPatient: desktopOnly,
  unpinPatient: desktopOnly,
  clearOfflineData: desktopOnly,
  onSyncStatus: async () => undefined,
  listDocumentsPage: records.listDocumentsPage,
  searchDocuments: records.searchDocuments,
  documentThumbnail: records.documentThumbnail,
  exportDocuments: records.exportDocuments,
  openDocument: records.openDocument,
  stampDocument: records.stampDocument,
  detachDocument: records.detachDocument,
  deleteDocument: records.deleteDocument,
  documentHistory: records.documentHistory,
  uploadDocument: (uploadId, mrn, category, fileName, file, replaceOldest) =>
    uploads.uploadDocument(uploadDeps, uploadId, mrn, category, fileName, file, replaceOldest),
  cancelUpload: async (uploadId) => uploads.cancelUpload(uploadId),
  onUploadProgress: async (handler) => uploads.onUploadProgress(handler),
};
