#!/usr/bin/env python3
"""The examples of README.md and man/*.[1-8], as the reader sees them.

  examples.py ROOT OUTDIR

An example is a ```sh block of the README, or a .nf/.fi or .EX/.EE block
in a man page's EXAMPLE or EXAMPLES section. Hidden notes before a block,
since the previous one (<!-- example: NOTE --> in the README, .\\" example:
NOTE in a page), say how to take it:
  not run: REASON    it is listed as skipped, with REASON
  file NAME: CHECK   it is the text of file NAME; the shell command CHECK
                     must then succeed
  keys: KEYS         tmux keys for the block's next terminal command (one
                     with -it, or attach), sent once it runs
A trailing comment's clause "prints TEXT" (the comment's last) asserts
that the command's output holds TEXT; "exits N", that its status is N
(else it must be 0).

Each example becomes OUTDIR/NN.sh, a bash script that runs its commands
one by one and stops at the first that fails (or whose output lacks what
the doc says it prints), naming the doc's file and line; OUTDIR/list has a
line "NN FILE:LINE run|skip REASON" for each.
"""
import glob
import os
import re
import shlex
import sys

NOTE_MD = re.compile(r'<!--\s*example:\s*(.*?)\s*-->')
NOTE_ROFF = re.compile(r'^\.\\"\s*example:\s*(.*)$')
ROFF_ESC = [(r'\-', '-'), (r'\(aq', "'"), (r'\(dq', '"'), (r'\e', '\\'),
            (r'\&', ''), (r'\fB', ''), (r'\fI', ''), (r'\fR', ''), (r'\fP', '')]


def readme_blocks(path):
    notes, block, start = [], None, 0
    for n, line in enumerate(open(path), 1):
        line = line.rstrip('\n')
        if block is None:
            notes += NOTE_MD.findall(line)
            if line.strip() == '```sh':
                block, start = [], n + 1
        elif line.strip() == '```':
            yield start, block, notes
            block, notes = None, []
        else:
            block.append(line)


def unroff(line):
    for a, b in ROFF_ESC:
        line = line.replace(a, b)
    return line


def man_blocks(path):
    notes, block, start, section = [], None, 0, ''
    for n, line in enumerate(open(path), 1):
        line = line.rstrip('\n')
        if line.startswith('.SH'):
            section, notes = line[3:].strip().strip('"'), []
        if block is None:
            m = NOTE_ROFF.match(line)
            if m:
                notes.append(m.group(1).strip())
            if line in ('.nf', '.EX') and section.startswith('EXAMPLE'):
                block, start = [], n + 1
        elif line in ('.fi', '.EE'):
            yield start, block, notes
            block, notes = None, []
        elif line not in ('.RS', '.RE') and not line.startswith('.\\"'):
            block.append(unroff(line))


def comment_of(line):
    """The trailing comment of one shell line, outside quotes, or ''."""
    quote, prev = None, ' '
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in '\'"':
            quote = c
        elif c == '#' and prev in ' \t' and line[i - 1:i + 2] != '$#':
            return line[i + 1:].strip()
        prev = c
    return ''


def commands(lines):
    """Shell commands: a line, with its continuations and here-documents."""
    i = 0
    while i < len(lines):
        first, cmd = i, [lines[i]]
        while cmd[-1].endswith('\\') and i + 1 < len(lines):
            i += 1
            cmd.append(lines[i])
        m = re.search(r'<<-?\s*[\'"]?(\w+)', cmd[-1])
        if m:
            while i + 1 < len(lines):
                i += 1
                cmd.append(lines[i])
                if lines[i].strip() == m.group(1):
                    break
        i += 1
        if cmd[0].strip() and not cmd[0].lstrip().startswith('#'):
            yield first, cmd


def script(src, start, lines, notes):
    keys = [n[len('keys:'):].strip() for n in notes if n.startswith('keys:')]
    out = ['# %s:%d' % (src, start), 'source "$DOCS_LIB"']
    for note in notes:
        m = re.match(r'file (\S+):\s*(.*)$', note)
        if m:
            out.append("cat >%s <<'DOCS_EXAMPLE_EOF'" % shlex.quote(m.group(1)))
            out += lines + ['DOCS_EXAMPLE_EOF']
            out.append('step %s \'\' 0 <<\'DOCS_STEP_EOF\'' % shlex.quote('%s:%d' % (src, start)))
            out += [m.group(2), 'DOCS_STEP_EOF']
            return out
    for first, cmd in commands(lines):
        where = '%s:%d' % (src, start + first)
        c = comment_of(cmd[0] if len(cmd) == 1 else cmd[-1])
        m = re.search(r'(?:^|[;,] )prints (.*)$', c)
        expect = m.group(1) if m else ''
        m = re.search(r'(?:^|[;,] )exits (\d+)\b', c)
        status = m.group(1) if m else '0'
        if re.search(r'corralctl (run|exec)\b[^#]* -i?t\b|corralctl attach\b', cmd[0]):
            out.append('term_step %s %s %s <<\'DOCS_STEP_EOF\'' % (
                shlex.quote(where), shlex.quote(expect), shlex.quote(keys.pop(0) if keys else '')))
        else:
            out.append('step %s %s %s <<\'DOCS_STEP_EOF\'' % (shlex.quote(where), shlex.quote(expect), status))
        out += cmd + ['DOCS_STEP_EOF']
    return out


def main():
    root, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    sources = [('README.md', readme_blocks)]
    sources += [(os.path.relpath(p, root), man_blocks)
                for p in sorted(glob.glob(os.path.join(root, 'man', '*.[1-8]')))]
    listing, n = [], 0
    for src, blocks in sources:
        for start, lines, notes in blocks(os.path.join(root, src)):
            n += 1
            skip = [x[len('not run:'):].strip() for x in notes if x.startswith('not run:')]
            name = '%02d' % n
            if skip:
                listing.append('%s %s:%d skip %s' % (name, src, start, skip[0]))
                continue
            listing.append('%s %s:%d run' % (name, src, start))
            with open(os.path.join(outdir, name + '.sh'), 'w') as f:
                f.write('\n'.join(script(src, start, lines, notes)) + '\n')
    with open(os.path.join(outdir, 'list'), 'w') as f:
        f.write('\n'.join(listing) + '\n')


main()
