-- Question: which names near event cues does the reference data not know yet, i.e.
--           what should be added to the gazetteer or the actor registry first?
-- How to read the answer: one row per unresolved surface form, most frequent first.
--   kind = 'place' means a capitalised name where a place was expected, 'actor' a name
--   where an actor was expected. `mentions` / `articles` show how much resolving it
--   would add; `example_sentence` shows it in context. Many are false candidates
--   ("Arab Spring"): those need no entry.
SELECT
    surface,
    kind,
    mentions,
    articles,
    example_article_id,
    left(example_sentence, 160) AS example_sentence
FROM unresolved_mentions
ORDER BY mentions DESC, articles DESC, surface
LIMIT 25;
