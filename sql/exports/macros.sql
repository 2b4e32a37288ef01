-- Macros of the exports and their read-back checks (temporary: defined on the connection that uses them).
-- Whitespace is what Python's str.isspace() calls whitespace: the exports were written by Python before and
-- their files stay byte-identical.
CREATE OR REPLACE TEMP MACRO odd_spaces() AS  -- in a [] class: whitespace other than the plain space
    '\t-\r\x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}';
CREATE OR REPLACE TEMP MACRO squash_space(s) AS  -- " ".join(s.split()); seeing that text needs nothing is cheap
    CASE WHEN regexp_matches(s, '^ | $|  |[' || odd_spaces() || ']')
         THEN regexp_replace(regexp_replace(s, '[ ' || odd_spaces() || ']+', ' ', 'g'), '^ | $', '', 'g')
         ELSE s END;
CREATE OR REPLACE TEMP MACRO strip_space(s) AS  -- s.strip()
    CASE WHEN regexp_matches(s, '^[ ' || odd_spaces() || ']|[ ' || odd_spaces() || ']$')
         THEN regexp_replace(s, '^[ ' || odd_spaces() || ']+|[ ' || odd_spaces() || ']+$', '', 'g')
         ELSE s END;
CREATE OR REPLACE TEMP MACRO acled_interaction(code1, code2) AS  -- the actors' ACLED inter codes, 0: no actor
    CASE WHEN code1 <> 0 AND code2 <> 0 THEN least(code1, code2) * 10 + greatest(code1, code2)  -- lower first: 12, 27
         ELSE (code1 + code2) * 10  -- a sole actor's code times ten (20); no actor: 0
    END;
CREATE OR REPLACE TEMP MACRO lower_hex_escapes(j) AS  -- JSON text with json.dumps's \u000b where yyjson writes \u000B
    CASE WHEN NOT contains(j, '\u00') THEN j
         ELSE replace(  -- escaped backslashes (\\) are set aside first, so every \ left starts an escape
             replace(replace(replace(replace(replace(replace(replace(replace(replace(
                 replace(j, '\\', chr(1)),
                 '\u000B', '\u000b'), '\u000E', '\u000e'), '\u000F', '\u000f'), '\u001A', '\u001a'),
                 '\u001B', '\u001b'), '\u001C', '\u001c'), '\u001D', '\u001d'), '\u001E', '\u001e'), '\u001F', '\u001f'),
             chr(1), '\\')
    END;
