// Every problem type the server can answer with (docs/openapi.yaml
// x-problem-types), by its slug, as the i18n key of a sentence in the UI's
// language; tests/e2e/web_problems.test.mjs fails when a slug lacks one.
export const PROBLEMS = {
  'already-checked-in': 'err_checkedIn', 'already-revoked': 'err_alreadyRevoked', 'already-undone': 'err_alreadyUndone',
  archived: 'err_archived', 'bad-checksum': 'err_badUpload', 'bad-credentials': 'err_badCredentials', 'bad-header': 'err_badUpload',
  'bad-path': 'err_badRequest', 'captions-locked': 'err_captionsLocked', 'checksum-mismatch': 'err_checksumMismatch',
  'clip-path': 'err_clipPath', conflict: 'err_conflict', 'cors-origin': 'err_forbidden', 'empty-import': 'err_emptyImport',
  'empty-upload': 'err_emptyUpload', expired: 'err_uploadExpired', forbidden: 'err_forbidden', 'idempotency-key': 'err_badRequest',
  'idempotency-key-reused': 'err_keyReused', 'insufficient-points': 'err_noPoints', 'insufficient-storage': 'err_noStorage',
  internal: 'err_internal', 'invalid-csv': 'err_invalidCsv', 'invalid-cursor': 'err_listExpired', 'invalid-captions': 'err_invalidCaptions',
  'invalid-field': 'err_invalid', 'invalid-rows': 'err_invalidRows', 'invalid-signature': 'err_linkExpired', locked: 'err_locked',
  'malformed-json': 'err_badRequest', 'method-not-allowed': 'err_badRequest', 'not-editable': 'err_notEditable',
  'not-published': 'err_notPublished', 'no-media': 'err_noMedia', 'not-found': 'err_notFound', 'not-pending': 'err_notPending',
  'not-ready': 'err_notReady', 'not-watched': 'err_notWatched', 'not-written': 'err_internal', 'offset-mismatch': 'err_offsetMismatch',
  'order-closed': 'err_orderClosed', 'out-of-stock': 'err_outOfStock', 'own-clip': 'err_ownClip',
  'password-change-required': 'pwMustChange', 'position-in-use': 'err_positionInUse', 'precondition-failed': 'err_changedMeanwhile', 'query-timeout': 'err_queryTimeout',
  'range-not-satisfiable': 'err_badRequest', 'redaction-failed': 'err_redactionFailed', 'render-pending': 'err_renderPending',
  'revision-changed': 'err_changedMeanwhile', 'self-tip': 'err_selfTip', 'source-gone': 'err_sourceGone', throttled: 'err_throttled',
  'tip-cap': 'err_tipCap', 'too-large': 'err_tooLarge', 'too-many-attempts': 'err_tooManyAttempts', 'tus-version': 'err_badUpload',
  unauthorized: 'sessionExpired', unavailable: 'err_unavailable', 'unsupported-media-type': 'err_badRequest',
  'upload-byte-quota': 'err_uploadQuota', 'upload-queue-full': 'err_uploadQueueFull', 'upload-quota': 'err_uploadQuota',
  'watch-again': 'err_watchAgain', 'weak-password': 'err_weakPassword',
};

/** The texts of the keys above that i18n.js does not have already. */
export const problemTexts = {
  zh: {
    err_alreadyRevoked: '这个接入令牌已经撤销过了', err_alreadyUndone: '这次指标导入已经撤销过了', err_badUpload: '上传出错了，请重新选择文件再试',
    err_badRequest: '请求有误，请刷新页面后再试', err_checksumMismatch: '文件在传输中损坏了，请重试', err_clipPath: '这条单视频学习路径只能通过“指派必看”修改',
    err_emptyImport: '文件里没有可导入的行', err_emptyUpload: '文件是空的，请选择一个视频', err_keyReused: '这次操作和之前的请求冲突，请刷新后再试',
    err_noStorage: '服务器存储空间不足，请稍后再试或联系管理员', err_invalidCsv: 'CSV 文件无法读取：请检查第一行的列名和引号',
    err_invalidCaptions: '字幕文件格式有误', err_invalidRows: '有的行有问题，什么都没有导入', err_linkExpired: '链接已过期，请刷新页面',
    err_locked: '正在被另一个操作使用，请稍后再试', err_notEditable: '现在不能修改这个视频', err_notPublished: '视频还没有发布',
    err_noMedia: '视频文件还没准备好', err_notReady: '还在处理中，请稍后再试', err_offsetMismatch: '上传进度不一致，正在从断点重新继续，请重试',
    err_orderClosed: '这个订单已经发放或取消了', err_positionInUse: '还有人担任这个岗位，请先给他们换一个岗位', err_ownClip: '不能对自己的视频这样做', err_changedMeanwhile: '内容在这期间被别人改过了，请刷新后再看',
    err_queryTimeout: '查询太久没有完成，请缩小范围再试', err_redactionFailed: '打码处理失败了，请重新打码', err_renderPending: '打码正在处理中，完成后再试',
    err_sourceGone: '原始视频文件已不存在，无法再处理', err_uploadQueueFull: '现在上传的人太多，请稍后再试', err_watchAgain: '请先重新看一遍视频再答题',
  },
  en: {
    err_alreadyRevoked: 'This integration token was revoked already', err_alreadyUndone: 'This metrics import was undone already', err_badUpload: 'The upload went wrong; pick the file again and retry',
    err_badRequest: 'The request was not understood; reload the page and try again', err_checksumMismatch: 'The file was damaged on the way; try again', err_clipPath: 'A one-clip path is changed through must-watch assignments',
    err_emptyImport: 'The file has no rows to import', err_emptyUpload: 'The file is empty; pick a video', err_keyReused: 'This clashes with an earlier request; reload and try again',
    err_noStorage: 'The server is out of storage; try later or tell an admin', err_invalidCsv: 'The CSV file cannot be read: check the header line and the quotes',
    err_invalidCaptions: 'The captions file is not valid', err_invalidRows: 'Some rows have problems, so nothing was imported', err_linkExpired: 'The link has expired; reload the page',
    err_locked: 'Something else is using this right now; try again shortly', err_notEditable: 'This clip cannot be changed now', err_notPublished: 'The clip is not published yet',
    err_noMedia: 'The video file is not ready yet', err_notReady: 'Still processing; try again shortly', err_offsetMismatch: 'The upload got out of step; try again to resume it',
    err_orderClosed: 'This order was handed over or cancelled already', err_positionInUse: 'People hold this position; give them another one first', err_ownClip: 'You cannot do that to your own clip', err_changedMeanwhile: 'Someone changed this meanwhile; reload to see it',
    err_queryTimeout: 'The query took too long; narrow it and try again', err_redactionFailed: 'The redaction failed; redact again', err_renderPending: 'A redaction is being rendered; try again when it is done',
    err_sourceGone: 'The original video file is gone, so it cannot be processed again', err_uploadQueueFull: 'Too many uploads right now; try again shortly', err_watchAgain: 'Watch the clip again before answering',
  },
};
