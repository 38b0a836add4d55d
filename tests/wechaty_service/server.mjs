#!/usr/bin/env node
/**
 * A real Wechaty puppet service for jielong's transport test.
 *
 * It runs wechaty-puppet-service's PuppetServer (the same gRPC server real
 * deployments talk to) in front of wechaty-puppet-mock, on 127.0.0.1, with
 * TLS disabled (the Python client speaks plaintext gRPC) and a token.
 *
 *   node server.mjs --port 8788 --token secret [--bot-id bot --bot-name 小龙]
 *   (or PORT / WECHATY_TOKEN / BOT_ID / BOT_NAME in the environment)
 *
 * A test drives it with one JSON object per line on stdin:
 *
 *   {"cmd":"setup","contacts":[{"id":"wxid_li","name":"李明"}],
 *    "rooms":[{"id":"r1@chatroom","topic":"周五水果群","members":["wxid_li"],
 *              "aliases":{"wxid_li":"李明-3栋"}}]}
 *   {"cmd":"say","contact":"wxid_li","room":"r1@chatroom","text":"…","mentions":["bot"]}
 *   {"cmd":"private","contact":"wxid_li","text":"…"}      (a private chat to the bot)
 *   {"cmd":"bot-say","room":"r1@chatroom","text":"…"}     (the bot account itself posts)
 *   {"cmd":"scan","qrcode":"…"}                        (the puppet asks for a login QR scan)
 *   {"cmd":"status"}   {"cmd":"quit"}
 *
 * Any command may carry "ref"; the answer ({"event":"ok"|"error", "ref"}) echoes it.
 * Room ids must contain "@" (the mock tells rooms from contacts that way).
 *
 * It prints one JSON object per line on stdout:
 *
 *   {"event":"ready","port":8788}               listening
 *   {"event":"client-connected"} / {"event":"client-disconnected"}   a client's event stream
 *   {"event":"login","id":"bot"} / {"event":"logout","id":"bot"}
 *   {"event":"online","id":"bot"}               a client is connected and the bot logged in
 *   {"event":"said","ref":…,"id":"<message id>"}
 *   {"event":"bot-said","room":…,"to":…,"text":…,"mentions":[…]}
 *   {"event":"bot-sent-file","room":…,"to":…,"name":…}
 *
 * Wechaty's own logger goes to stderr, so stdout carries only these lines.
 */

// Wechaty's logger (brolog) prints with console.log/info: keep stdout for events.
for (const name of ['log', 'info', 'debug']) {
  console[name] = (...args) => console.error(...args)
}

const { parseArgs } = await import('node:util')
const readline = await import('node:readline')
const { randomUUID } = await import('node:crypto')
const PUPPET = await import('wechaty-puppet')
const { PuppetMock, mock } = await import('wechaty-puppet-mock')
const { PuppetServer } = await import('wechaty-puppet-service')

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    token: { type: 'string' },
    'bot-id': { type: 'string' },
    'bot-name': { type: 'string' },
  },
})

const port = Number(args.port ?? process.env.PORT ?? 0)
const token = args.token ?? process.env.WECHATY_TOKEN ?? ''
const botId = args['bot-id'] ?? process.env.BOT_ID ?? 'bot'
const botName = args['bot-name'] ?? process.env.BOT_NAME ?? '小龙'
if (!port || !token) {
  console.error('usage: node server.mjs --port PORT --token TOKEN (or PORT / WECHATY_TOKEN)')
  process.exit(2)
}

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

const mocker = new mock.Mocker()
const puppet = new PuppetMock({ mocker })
const bot = mocker.createContact({ id: botId, name: botName })
const roomAliases = new Map()          // roomId -> { contactId: alias }

/**
 * The mock logs the bot out whenever a client connects (the client calls the
 * service's stop() then start()): log it in again once the puppet is on.
 */
let clientConnected = false
function maybeOnline () {
  if (clientConnected && puppet.isLoggedIn) {
    emit({ event: 'online', id: puppet.currentUserId })
  }
}
puppet.on('start', () => {
  if (!puppet.isLoggedIn) {
    mocker.login(bot)
  }
})
puppet.on('login', ({ contactId }) => { emit({ event: 'login', id: contactId }); maybeOnline() })
puppet.on('logout', ({ contactId }) => emit({ event: 'logout', id: contactId }))

/**
 * The server's event-stream manager subscribes to the puppet's events when a
 * client opens its event stream and unsubscribes when the stream ends: that is
 * how we see a client come and go.
 */
const originalOn = puppet.on.bind(puppet)
const originalOff = puppet.off.bind(puppet)
let ourListenersDone = false
puppet.on = (name, listener) => {
  const result = originalOn(name, listener)
  if (ourListenersDone && name === 'message') {
    clientConnected = true
    emit({ event: 'client-connected' })
    maybeOnline()
  }
  return result
}
puppet.off = (name, listener) => {
  const result = originalOff(name, listener)
  if (name === 'message') {
    clientConnected = false
    emit({ event: 'client-disconnected' })
  }
  return result
}
ourListenersDone = true

/**
 * What the bot sends: the mock echoes the text back as a message but drops the
 * mentions, so record them here, where the service hands them to the puppet.
 */
const isRoom = (id) => /@/.test(id)
const originalSendText = puppet.messageSendText.bind(puppet)
puppet.messageSendText = async (conversationId, text, mentionIdList = []) => {
  emit({
    event: 'bot-said',
    room: isRoom(conversationId) ? conversationId : null,
    to: conversationId,
    text,
    mentions: [...(mentionIdList || [])],
  })
  return originalSendText(conversationId, text)
}
const originalSendFile = puppet.messageSendFile.bind(puppet)
puppet.messageSendFile = async (conversationId, fileBox) => {
  emit({
    event: 'bot-sent-file',
    room: isRoom(conversationId) ? conversationId : null,
    to: conversationId,
    name: fileBox.name,
  })
  return originalSendFile(conversationId, fileBox)
}

// The mock ignores room aliases: serve the ones the test set up.
const originalMemberPayload = puppet.roomMemberRawPayload.bind(puppet)
puppet.roomMemberRawPayload = async (roomId, contactId) => {
  const payload = await originalMemberPayload(roomId, contactId)
  const alias = roomAliases.get(roomId)?.[contactId]
  return alias ? { ...payload, roomAlias: alias } : payload
}

function contact (id) {
  return mocker.ContactMock.load(id)
}

function post (talkerId, text, target, mentions = [], type = PUPPET.types.Message.Text) {
  if (!puppet.isLoggedIn) {
    throw new Error('the bot is not logged in (no client connected yet?)')
  }
  contact(talkerId)  // throws for an unknown contact
  const payload = {
    id: randomUUID(),
    talkerId,
    timestamp: Date.now(),
    type,
    text,
    ...target,
  }
  if (payload.roomId) {
    mocker.RoomMock.load(payload.roomId)
    payload.mentionIdList = mentions.map(id => contact(id).id)
  }
  const message = mocker.MessageMock.create(payload)
  puppet.emit('message', { messageId: message.id })
  return message.id
}

function setup ({ contacts = [], rooms = [] }) {
  for (const c of contacts) {
    if (!mocker.cacheContactPayload.has(c.id)) {
      mocker.createContact({ id: c.id, name: c.name ?? c.id, alias: c.alias ?? '' })
    }
  }
  for (const r of rooms) {
    if (!isRoom(r.id)) {
      throw new Error(`room id ${r.id} must contain "@" (e.g. ${r.id}@chatroom)`)
    }
    const members = [...new Set([botId, ...(r.members ?? [])])]
    if (mocker.cacheRoomPayload.has(r.id)) {
      const payload = mocker.roomPayload(r.id)
      payload.topic = r.topic ?? payload.topic
      payload.memberIdList = members
    } else {
      mocker.createRoom({
        id: r.id,
        topic: r.topic ?? r.id,
        memberIdList: members,
        ownerId: r.owner ?? botId,
        adminIdList: [],
      })
    }
    roomAliases.set(r.id, r.aliases ?? {})
  }
}

const commands = {
  setup: (cmd) => { setup(cmd); return {} },
  say: (cmd) => ({
    id: post(cmd.contact, cmd.text, { roomId: cmd.room }, cmd.mentions ?? [], cmd.type ?? PUPPET.types.Message.Text),
  }),
  private: (cmd) => ({
    id: post(cmd.contact, cmd.text, { listenerId: puppet.currentUserId }, [], cmd.type ?? PUPPET.types.Message.Text),
  }),
  'bot-say': (cmd) => ({
    id: post(puppet.currentUserId, cmd.text, cmd.room ? { roomId: cmd.room } : { listenerId: cmd.contact }),
  }),
  scan: (cmd) => {
    puppet.emit('scan', { qrcode: cmd.qrcode, status: PUPPET.types.ScanStatus.Waiting })
    return {}
  },
  status: () => ({ loggedIn: puppet.isLoggedIn, clientConnected, botId: puppet.isLoggedIn ? puppet.currentUserId : null }),
  quit: () => { setImmediate(shutdown); return {} },
}

const server = new PuppetServer({
  endpoint: `127.0.0.1:${port}`,
  puppet,
  token,
  tls: { disable: true },
})

let stopping = false
async function shutdown () {
  if (stopping) return
  stopping = true
  const timer = setTimeout(() => process.exit(0), 3000)
  try {
    await server.stop()
    await puppet.stop()
  } catch (e) {
    console.error('shutdown:', e)
  }
  clearTimeout(timer)
  process.exit(0)
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)

await server.start()
emit({ event: 'ready', port })

const lines = readline.createInterface({ input: process.stdin })
lines.on('line', (line) => {
  if (!line.trim()) return
  let cmd
  try {
    cmd = JSON.parse(line)
  } catch (e) {
    emit({ event: 'error', message: `not JSON: ${line}` })
    return
  }
  const handler = commands[cmd.cmd]
  if (!handler) {
    emit({ event: 'error', ref: cmd.ref ?? null, message: `unknown cmd ${cmd.cmd}` })
    return
  }
  try {
    const result = handler(cmd)
    emit({ event: cmd.cmd === 'say' || cmd.cmd === 'private' || cmd.cmd === 'bot-say' ? 'said' : 'ok', ref: cmd.ref ?? null, ...result })
  } catch (e) {
    emit({ event: 'error', ref: cmd.ref ?? null, message: String(e?.message ?? e) })
  }
})
// The test that started us went away: stop with it.
lines.on('close', shutdown)
