// commander, loaded with require: importing it as ESM goes through its wrapper,
// which makes Node lex the CommonJS source for export names first (about 5 ms
// of every command's start-up, measured).
import { createRequire } from 'node:module';
import type * as C from 'commander';

const commander = createRequire(import.meta.url)('commander') as typeof C;

export const { Command, CommanderError, Option } = commander;
export type Command = C.Command;
export type CommanderError = C.CommanderError;
export type Option = C.Option;
