/** Close codes of spec §7, with the client reaction the spec asks for. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  abnormal: 1006,
  policy: 1008,
  internalError: 1011,
  unauthorised: 4001,
  invalidResumeHandle: 4003,
} as const;

/** Codes after which a client must not reconnect at all (spec §6.3). */
export const isUnauthorisedClose = (code: number): boolean => code === CloseCode.unauthorised;

/** Codes after which the presented handle must be dropped (spec §7). */
export const isHandleRejectedClose = (code: number): boolean => code === CloseCode.invalidResumeHandle;

/** Codes a WebSocket endpoint may send in a close frame (RFC 6455 §7.4). */
export const isSendableCloseCode = (code: number): boolean =>
  (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
