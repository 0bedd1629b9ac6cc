// The desktop transport: the only module that calls Tauri's invoke. Every command is typed
// here; the Rust core does the work (offline cache, outbox, keychain, save dialog).
import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { asUiError, type Backend, type Platform } from "./contract";
import type {
  AccessHistoryRows,
  AlertList,
  AppInfo,
  BreakGlassChoice,
  CachedHit,
  DocumentRow,
  ExportSummary,
  FirstRows,
  FhirExportSummary,
  HistoryRow,
  OutboxItem,
  PatientSummary,
  PinReport,
  SignInResult,
  SignedInUser,
  SyncStatus,
  UiError,
  UploadOutcome,
  UploadProgress,
} from "./types";

/** Every command rejects with a UiError; anything else is turned into one. */
async function call<T>(
  command: string,
  args?: InvokeArgs,
  options?: { headers: Record<string, string> },
): Promise<T> {
  try {
    return await invoke<T>(command, args, options);
  } catch (e) {
    throw asUiError(e);
  }
}

/** What one raw IPC body of an upload carries. */
const UPLOAD_CHUNK = 4 * 1024 * 1024;
/** Uploads the user cancelled, so the chunk loop stops sending. */
const cancelled = new Set<string>();

export const tauriPlatform: Platform = { kind: "desktop", offline: true, pinning: true, saveDialog: true };

export const tauriBackend: Backend = {
  appInfo: () => call<AppInfo>("app_info"),
  signIn: (username, password) => call<SignInResult>("sign_in", { username, password }),
  completeNewPassword: (newPassword, confirm) => call<SignInResult>("complete_new_password", { newPassword, confirm }),
  completeTotp: (code) => call<SignInResult>("complete_totp", { code }),
  completeMfaSetup: (code) => call<SignInResult>("complete_mfa_setup", { code }),
  signOut: () => call<void>("sign_out"),
  resumeSession: () => call<SignedInUser | null>("resume_session"),
  lockSession: () => call<void>("lock_session"),
  unlockSession: (password) => call<SignedInUser>("unlock_session", { password }),
  findPatient: (query, reason) =>
    call<PatientSummary>("find_patient", { query, reason: reason?.reason ?? null, detail: reason?.detail ?? null }),
  breakGlassReasons: () => call<BreakGlassChoice[]>("break_glass_reasons"),
  accessHistory: (mrn, after) => call<AccessHistoryRows>("access_history", { mrn, after: after ?? null }),
  virusAlerts: () => call<AlertList>("virus_alerts"),
  exportRecordFhir: async (mrn, onProgress) => {
    const stop = await listen<string>("record-export-progress", (e) => onProgress(e.payload));
    try {
      return await call<FhirExportSummary | null>("export_record_fhir", { mrn });
    } finally {
      stop();
    }
  },
  revalidatePatient: (mrn) => call<PatientSummary | null>("revalidate_patient", { mrn }),
  recordVersion: (mrn, seen) => call<string | null>("record_version", { mrn, seen }),
  searchOffline: (text) => call<CachedHit[]>("search_offline", { text }),
  outbox: () => call<OutboxItem[]>("outbox"),
  retryOutboxItem: (docId, replaceOldest) => call<SyncStatus>("retry_outbox_item", { docId, replaceOldest }),
  discardOutboxItem: (docId) => call<void>("discard_outbox_item", { docId }),
  resetOfflineData: () => call<void>("reset_offline_data"),
  syncNow: () => call<SyncStatus>("sync_now"),
  pinPatient: async (mrn, onProgress) => {
    const stop = await listen<[number, number]>("pin-progress", (e) => onProgress(e.payload[0], e.payload[1]));
    try {
      return await call<PinReport>("pin_patient", { mrn });
    } finally {
      stop();
    }
  },
  unpinPatient: (mrn) => call<void>("unpin_patient", { mrn }),
  clearOfflineData: () => call<void>("clear_offline_data"),
  onSyncStatus: async (handler) => {
    await listen<SyncStatus>("sync-status", (e) => handler(e.payload));
  },
  listDocumentsPage: (mrn, category, after, limit) =>
    call<FirstRows>("list_documents_page", { mrn, category, after, limit }),
  searchDocuments: (mrn, text) => call<DocumentRow[]>("search_documents", { mrn, text }),
  documentThumbnail: (mrn, docId) => call<ArrayBuffer>("document_thumbnail", { mrn, docId }),
  // The core opens the OS save dialog, then writes the ZIP.
  exportDocuments: (mrn, docIds, categories) =>
    call<ExportSummary | null>("export_documents", { mrn, docIds, categories }),
  // The file's bytes come as the raw IPC body.
  openDocument: (mrn, docId, optimized = false, page?: number) =>
    call<ArrayBuffer>("open_document", page === undefined ? { mrn, docId, optimized } : { mrn, docId, optimized, page }),
  stampDocument: (mrn, docId) => call<DocumentRow>("stamp_document", { mrn, docId }),
  detachDocument: (mrn, docId) => call<void>("detach_document", { mrn, docId }),
  deleteDocument: (mrn, docId, reason) => call<void>("delete_document", { mrn, docId, reason }),
  documentHistory: (mrn, category) => call<HistoryRow[] | null>("document_history", { mrn, category }),
  // The file goes in 4 MiB chunks, each a raw IPC body the core appends to a staged file, so no
  // whole file is held here or crosses the bridge; then the core checks, queues and sends it.
  uploadDocument: async (uploadId, mrn, category, fileName, file, replaceOldest) => {
    const stopIfCancelled = () => {
      if (cancelled.delete(uploadId)) throw { code: "cancelled", message: "The upload was cancelled" } satisfies UiError;
    };
    let offset = 0;
    do {
      // Cancelled while staging: the core already dropped what came; send no more.
      stopIfCancelled();
      let chunk: ArrayBuffer;
      try {
        chunk = await file.slice(offset, offset + UPLOAD_CHUNK).arrayBuffer();
      } catch (e) {
        throw { code: "invalid_input", message: `${fileName}: cannot read the file (${String(e)})` } satisfies UiError;
      }
      try {
        await call<void>("upload_chunk", new Uint8Array(chunk), {
          headers: { "x-upload-id": uploadId, "x-offset": String(offset) },
        });
      } catch (e) {
        // A chunk that crossed the Cancel says so in its own words: the user's word wins.
        stopIfCancelled();
        throw e;
      }
      offset += chunk.byteLength;
    } while (offset < file.size);
    stopIfCancelled();
    try {
      return await call<UploadOutcome>("upload_document", { uploadId, mrn, category, fileName, replaceOldest });
    } finally {
      cancelled.delete(uploadId);
    }
  },
  cancelUpload: (uploadId) => {
    cancelled.add(uploadId);
    return call<boolean>("cancel_upload", { uploadId });
  },
  onUploadProgress: async (handler) => {
    await listen<UploadProgress>("upload-progress", (e) => handler(e.payload));
  },
};
