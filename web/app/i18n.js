// UI text in Chinese (default) and English; the choice lives in localStorage.
const KEY = 'casereel.lang';
const T = {
  zh: {
    playFailed: '视频无法播放，请稍后再试', app: '案例短视频', username: '用户名', password: '密码', login: '登录', logout: '退出登录',
    loggingIn: '正在登录…', sessionExpired: '登录已过期，请重新登录', network: '网络连接失败，请稍后再试',
    tabFeed: '推荐', tabUpload: '上传', tabMe: '我的', tabTrainer: '培训',
    loading: '加载中…', empty: '暂无内容', more: '加载更多', retry: '重试',
    featured: '精选', mustWatch: '必看', tapUnmute: '点击开启声音', tapPlay: '点击播放', muted: '静音', unmute: '开声音',
    like: '赞', comments: '评论', tip: '打赏', send: '发送', close: '关闭', writeComment: '说点什么…',
    noComments: '还没有评论，来说第一句吧', commentSent: '评论已发布',
    tipTitle: '送礼物', freeLeft: '今日免费额度剩余 {n} 分', balance: '积分余额', tipSent: '已送出 {gift}',
    points: '分', quizTitle: '小测验', quizSubmit: '提交答案', quizResult: '答对 {c}/{t}，获得 {p} 积分', correct: '正确', wrong: '错误',
    uploadTitle: '上传案例视频', pick: '选择视频', record: '录制视频', title: '标题', tags: '标签（逗号分隔）',
    tagsHint: '例如：refunds, billing', startUpload: '开始上传', uploading: '上传中 {p}%', processing: '处理中 {p}%',
    noFile: '请先选择或录制一个视频', noTitle: '请填写标题', uploaded: '上传完成，正在处理', uploadDone: '上传完成',
    st_processing: '处理中', st_pending_review: '等待审核', st_published: '已发布', st_rejected: '未通过', st_failed: '处理失败', st_removed: '已删除',
    pendingNote: '视频已进入审核队列，培训师审核通过后会出现在推荐里。', failedNote: '处理失败：{e}', rejectedNote: '未通过：{e}',
    another: '再传一个', resume: '继续上传',
    me: '我的', checkin: '签到', checkedIn: '今日已签到', streak: '连续签到 {n} 天', checkinDone: '签到成功 +{n} 分',
    history: '积分记录', shop: '积分商城', buy: '兑换', stock: '库存 {n}', myOrders: '我的兑换', myClips: '我的视频',
    ordered: '兑换成功：{name}', noOrders: '还没有兑换记录', noClips: '还没有上传视频', lang: 'English',
    views: '播放', likes: '赞', tipsN: '打赏', st_reserved: '待领取', st_fulfilled: '已发放', st_cancelled: '已取消',
    review: '审核', featureAssign: '精选与指派', boards: '排行榜', analytics: '数据分析',
    approve: '通过', reject: '驳回', rejectReason: '驳回原因（必填）', approved: '已通过', rejected: '已驳回',
    featureCreator: '精选作者', featureClip: '精选视频', featuredOk: '已精选', days: '天数', note: '备注',
    queueEmpty: '审核队列为空', assign: '指派必看', dueDate: '截止日期', teams: '团队', assignedOk: '已指派',
    assignedList: '已指派的必看', watchedOf: '已看 {w}/{a}', nowFeatured: '当前精选',
    creators: '创作者', learners: '学习者', week: '本周', month: '本月', all: '全部',
    retention: '观看留存', teamActivity: '团队活跃度（人均完播）', completions: '完播', minutes: '分钟',
    pickClip: '选择视频', by: '作者', starts: '开始', avgWatch: '平均观看 {p}%',
    quizzes: '测验', quizBtn: '测验', editQuizFor: '编辑测验：{title}', quizFor: '测验：{title}', filterClips: '按标题筛选视频',
    quizLimits: '每个视频 1–3 道选择题，每题 2–5 个选项，标出正确答案。学员看完视频后作答。',
    quizPoints: '每答对一题得 {p} 积分', noQuizYet: '这个视频还没有测验', questionN: '第 {n} 题', questionText: '题目',
    rightAnswer: '正确答案', markRight: '选项 {n} 是正确答案', markRightHint: '点选圆圈标出正确答案', choiceN: '选项 {n}',
    addChoice: '添加选项', removeChoice: '删除选项 {n}', addQuestion: '添加题目', removeQuestion: '删除第 {n} 题',
    saveQuiz: '保存测验', saving: '保存中…', quizSaved: '测验已保存（{n} 道题）',
    deleteQuiz: '删除测验', deleteQuizConfirm: '删除这个测验？已有的答题记录会保留在分析中。', quizDeleted: '测验已删除',
    quizCount: '{n} 道题', quizCountOne: '1 道题', quizNone: '还没有测验', onlyNoQuiz: '只看还没有测验的视频',
  },
  en: {
    playFailed: 'This clip cannot play right now, try again later', app: 'casereel', username: 'Username', password: 'Password', login: 'Log in', logout: 'Log out',
    loggingIn: 'Logging in…', sessionExpired: 'Your session expired, please log in again', network: 'Could not reach the server, try again',
    tabFeed: 'Feed', tabUpload: 'Upload', tabMe: 'Me', tabTrainer: 'Trainer',
    loading: 'Loading…', empty: 'Nothing here yet', more: 'Load more', retry: 'Retry',
    featured: 'Featured', mustWatch: 'Must watch', tapUnmute: 'Tap for sound', tapPlay: 'Tap to play', muted: 'Muted', unmute: 'Sound on',
    like: 'Like', comments: 'Comments', tip: 'Tip', send: 'Send', close: 'Close', writeComment: 'Add a comment…',
    noComments: 'No comments yet — be the first', commentSent: 'Comment posted',
    tipTitle: 'Send a gift', freeLeft: '{n} free points left today', balance: 'Balance', tipSent: 'Sent {gift}',
    points: 'pts', quizTitle: 'Quick quiz', quizSubmit: 'Submit', quizResult: '{c}/{t} right, {p} points earned', correct: 'Right', wrong: 'Wrong',
    uploadTitle: 'Upload a case clip', pick: 'Choose video', record: 'Record video', title: 'Title', tags: 'Tags (comma separated)',
    tagsHint: 'e.g. refunds, billing', startUpload: 'Upload', uploading: 'Uploading {p}%', processing: 'Processing {p}%',
    noFile: 'Choose or record a video first', noTitle: 'Please enter a title', uploaded: 'Uploaded, processing', uploadDone: 'Uploaded',
    st_processing: 'Processing', st_pending_review: 'Pending review', st_published: 'Published', st_rejected: 'Rejected', st_failed: 'Failed', st_removed: 'Removed',
    pendingNote: 'Your clip is in the review queue; once a trainer approves it, it shows up in the feed.', failedNote: 'Processing failed: {e}', rejectedNote: 'Rejected: {e}',
    another: 'Upload another', resume: 'Resume upload',
    me: 'Me', checkin: 'Check in', checkedIn: 'Checked in today', streak: '{n}-day streak', checkinDone: 'Checked in +{n} pts',
    history: 'Points history', shop: 'Points shop', buy: 'Redeem', stock: '{n} left', myOrders: 'My orders', myClips: 'My clips',
    ordered: 'Redeemed: {name}', noOrders: 'No orders yet', noClips: 'No clips yet', lang: '中文',
    views: 'views', likes: 'likes', tipsN: 'tips', st_reserved: 'Reserved', st_fulfilled: 'Fulfilled', st_cancelled: 'Cancelled',
    review: 'Review', featureAssign: 'Feature & assign', boards: 'Leaderboards', analytics: 'Analytics',
    approve: 'Approve', reject: 'Reject', rejectReason: 'Reason for rejecting (required)', approved: 'Approved', rejected: 'Rejected',
    featureCreator: 'Feature creator', featureClip: 'Feature clip', featuredOk: 'Featured', days: 'Days', note: 'Note',
    queueEmpty: 'The review queue is empty', assign: 'Assign must-watch', dueDate: 'Due date', teams: 'Teams', assignedOk: 'Assigned',
    assignedList: 'Assigned must-watch', watchedOf: '{w}/{a} watched', nowFeatured: 'Featured now',
    creators: 'Creators', learners: 'Learners', week: 'Week', month: 'Month', all: 'All time',
    retention: 'Retention', teamActivity: 'Team activity (completions per member)', completions: 'completions', minutes: 'min',
    pickClip: 'Choose a clip', by: 'by', starts: 'starts', avgWatch: 'avg watched {p}%',
    quizzes: 'Quizzes', quizBtn: 'Quiz', editQuizFor: 'Edit quiz: {title}', quizFor: 'Quiz: {title}', filterClips: 'Filter clips by title',
    quizLimits: '1–3 multiple-choice questions per clip, 2–5 choices each, with the right answer marked. Viewers answer after watching.',
    quizPoints: '{p} points per right answer', noQuizYet: 'This clip has no quiz yet', questionN: 'Question {n}', questionText: 'Question',
    rightAnswer: 'Right answer', markRight: 'Choice {n} is the right answer', markRightHint: 'Tap the circle next to the right answer', choiceN: 'Choice {n}',
    addChoice: 'Add choice', removeChoice: 'Remove choice {n}', addQuestion: 'Add question', removeQuestion: 'Remove question {n}',
    saveQuiz: 'Save quiz', saving: 'Saving…', quizSaved: 'Quiz saved ({n} questions)',
    deleteQuiz: 'Delete quiz', deleteQuizConfirm: 'Delete this quiz? Answers given so far stay in the analytics.', quizDeleted: 'Quiz deleted',
    quizCount: '{n} questions', quizCountOne: '1 question', quizNone: 'No quiz yet', onlyNoQuiz: 'Only clips without a quiz',
  },
};

export function lang() { return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh'; }
export function setLang(l) {
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l === 'en' ? 'en' : 'zh-CN';
}
/** The text for `key` in the current language, with {name} filled from `vars`. */
export function t(key, vars = {}) {
  const s = T[lang()][key] ?? T.zh[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}
