// fengari ships no types; tools/converge/lua.ts types the few functions it calls.
declare module 'fengari';
