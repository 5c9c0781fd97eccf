import fengari from 'fengari';

/**
 * Runs Argo CD health scripts with fengari (a Lua 5.3 VM in JavaScript, pinned in package.json).
 * Argo CD v2.14.21 runs them with gopher-lua (Lua 5.1, util/lua/lua.go): the scripts it ships use
 * nothing that differs between the two (no integer division, no `unpack`/`table.unpack`, no
 * `setfenv`); numbers from JSON arrive as floats in both. Like Argo CD, `obj` is the live object as a
 * table and the script returns a table with `status` and `message`.
 */
const { lua, lauxlib, lualib, to_luastring, to_jsstring } = fengari as unknown as {
  lua: Record<string, any>;
  lauxlib: Record<string, any>;
  lualib: Record<string, any>;
  to_luastring: (s: string) => Uint8Array;
  to_jsstring: (s: Uint8Array) => string;
};

export interface LuaHealth {
  readonly status: string;
  readonly message: string;
}

type LuaState = unknown;

function push(L: LuaState, value: unknown): void {
  if (value === null || value === undefined) lua.lua_pushnil(L);
  else if (typeof value === 'boolean') lua.lua_pushboolean(L, value);
  else if (typeof value === 'number') lua.lua_pushnumber(L, value);
  else if (typeof value === 'string') lua.lua_pushstring(L, to_luastring(value));
  else if (Array.isArray(value)) {
    lua.lua_createtable(L, value.length, 0);
    value.forEach((item, index) => {
      push(L, item);
      lua.lua_rawseti(L, -2, index + 1);
    });
  } else {
    const entries = Object.entries(value as Record<string, unknown>);
    lua.lua_createtable(L, 0, entries.length);
    for (const [key, item] of entries) {
      push(L, item);
      lua.lua_setfield(L, -2, to_luastring(key));
    }
  }
}

function field(L: LuaState, name: string): string {
  lua.lua_getfield(L, -1, to_luastring(name));
  const value = lua.lua_isstring(L, -1) ? to_jsstring(lua.lua_tostring(L, -1)) : '';
  lua.lua_pop(L, 1);
  return value;
}

/** One VM per script source, reused: loading the standard libraries dominates a run. */
const compiled = new Map<string, { L: LuaState; ref: number }>();

export function runHealthScript(script: string, object: unknown): LuaHealth {
  let entry = compiled.get(script);
  if (!entry) {
    const L = lauxlib.luaL_newstate();
    lualib.luaL_openlibs(L);
    if (lauxlib.luaL_loadstring(L, to_luastring(script)) !== lua.LUA_OK) {
      throw new Error(`health script does not compile: ${to_jsstring(lua.lua_tostring(L, -1))}`);
    }
    entry = { L, ref: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) };
    compiled.set(script, entry);
  }
  const { L, ref } = entry;
  push(L, object);
  lua.lua_setglobal(L, to_luastring('obj'));
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
  if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    const message = to_jsstring(lua.lua_tostring(L, -1));
    lua.lua_pop(L, 1);
    throw new Error(`health script failed: ${message}`);
  }
  if (!lua.lua_istable(L, -1)) {
    lua.lua_pop(L, 1);
    throw new Error('health script returned no table');
  }
  const result = { status: field(L, 'status'), message: field(L, 'message') };
  lua.lua_pop(L, 1);
  return result;
}
