// The only module that calls Tauri's invoke: every backend call is typed here.
import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type {
  AccessEvent,
  BreakGlassChoice,
  BreakGlassReason,
  AppInfo,
  CachedHit,
  DocumentRow,
  ExportSummary,
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

/** A break-glass reason as the user stated it. */
export interface StatedReason {
  reason: BreakGlassReason;
  detail: string;
}

export function asUiError(e: unknown): UiError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    return e as UiError;
  }
  return { code: "internal", message: String(e) };
}

export const backend = {
  appInfo: () => call<AppInfo>("app_info"),
  signIn: (username: string, password: string) => call<SignInResult>("sign_in", { username, password }),
  completeNewPassword: (newPassword: string, confirm: string) =>
    call<SignInResult>("complete_new_password", { newPassword, confirm }),
  completeTotp: (code: string) => call<SignInResult>("complete_totp", { code }),
  completeMfaSetup: (code: string) => call<SignInResult>("complete_mfa_setup", { code }),
  signOut: () => call<void>("sign_out"),
  resumeSession: () => call<SignedInUser | null>("resume_session"),
  lockSession: () => call<void>("lock_session"),
  unlockSession: (password: string) => call<SignedInUser>("unlock_session", { password }),
  /** `reason`: the break-glass reason for a restricted record, once the user gave one. */
  findPatient: (query: string, reason?: StatedReason) =>
    call<PatientSummary>("find_patient", { query, reason: reason?.reason ?? null, detail: reason?.detail ?? null }),
  breakGlassReasons: () => call<BreakGlassChoice[]>("break_glass_reasons"),
  /** Who opened or changed the record (records admins). */
  accessHistory: (mrn: string) => call<AccessEvent[]>("access_history", { mrn }),
  /** The patient's newer summary, or null when the copy on screen is current. */
  revalidatePatient: (mrn: string) => call<PatientSummary | null>("revalidate_patient", { mrn }),
  /** Cached patients and documents matching what was typed; works offline. */
  searchOffline: (text: string) => call<CachedHit[]>("search_offline", { text }),
  outbox: () => call<OutboxItem[]>("outbox"),
  retryOutboxItem: (docId: string, replaceOldest: boolean) =>
    call<SyncStatus>("retry_outbox_item", { docId, replaceOldest }),
  discardOutboxItem: (docId: string) => call<void>("discard_outbox_item", { docId }),
  resetOfflineData: () => call<void>("reset_offline_data"),
  syncNow: () => call<SyncStatus>("sync_now"),
  /** Downloads the patient for offline use; `onProgress(done, total)` as documents arrive. */
  pinPatient: async (mrn: string, onProgress: (done: number, total: number) => void): Promise<PinReport> => {
    const stop = await listen<[number, number]>("pin-progress", (e) => onProgress(e.payload[0], e.payload[1]));
    try {
      return await call<PinReport>("pin_patient", { mrn });
    } finally {
      stop();
    }
  },
  unpinPatient: (mrn: string) => call<void>("unpin_patient", { mrn }),
  clearOfflineData: () => call<void>("clear_offline_data"),
  /** Calls `handler` after every background sync round. */
  onSyncStatus: async (handler: (s: SyncStatus) => void): Promise<void> => {
    await listen<SyncStatus>("sync-status", (e) => handler(e.payload));
  },
  listDocuments: (mrn: string, category: string) => call<DocumentRow[]>("list_documents", { mrn, category }),
  searchDocuments: (mrn: string, text: string) => call<DocumentRow[]>("search_documents", { mrn, text }),
  /** The 320 px JPEG thumbnail's bytes; empty when the document has none. */
  documentThumbnail: (mrn: string, docId: string) => call<ArrayBuffer>("document_thumbnail", { mrn, docId }),
  /** Opens the OS save dialog, then writes the ZIP; null when the user closed the dialog. */
  exportDocuments: (mrn: string, docIds: string[], categories: string[]) =>
    call<ExportSummary | null>("export_documents", { mrn, docIds, categories }),
  /** The file's bytes (raw IPC body). */
  openDocument: (mrn: string, docId: string) => call<ArrayBuffer>("open_document", { mrn, docId }),
  stampDocument: (mrn: string, docId: string) => call<DocumentRow>("stamp_document", { mrn, docId }),
  detachDocument: (mrn: string, docId: string) => call<void>("detach_document", { mrn, docId }),
  deleteDocument: (mrn: string, docId: string) => call<void>("delete_document", { mrn, docId }),
  /** Sends the file's bytes as the raw IPC body; the rest travels in headers. `uploadId`
   * names it in `upload-progress` events and for `cancelUpload`. */
  uploadDocument: (
    uploadId: string,
    mrn: string,
    category: string,
    fileName: string,
    bytes: ArrayBuffer,
    replaceOldest: boolean,
  ) =>
    call<UploadOutcome>("upload_document", new Uint8Array(bytes), {
      headers: {
        "x-upload-id": uploadId,
        "x-mrn": mrn,
        "x-category": category,
        "x-file-name": encodeURIComponent(fileName),
        "x-replace-oldest": String(replaceOldest),
      },
    }),
  cancelUpload: (uploadId: string) => call<boolean>("cancel_upload", { uploadId }),
  /** Calls `handler` for every upload's progress; resolves once listening. */
  onUploadProgress: async (handler: (p: UploadProgress) => void): Promise<void> => {
    await listen<UploadProgress>("upload-progress", (e) => handler(e.payload));
  },
};
