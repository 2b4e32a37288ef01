-- Unresolved names counted over the corpus, most frequent first: the to-do list of the reference data. The
-- example is the name's first mention in (article_id, sentence, position) order.
INSERT INTO unresolved_mentions
SELECT surface,
       kind,
       count(*)                                                            AS mentions,
       count(DISTINCT article_id)                                          AS articles,
       first(article_id ORDER BY article_id, sentence_idx, char_start)     AS example_article_id,
       first(sentence ORDER BY article_id, sentence_idx, char_start)       AS example_sentence
FROM unresolved_raw
GROUP BY surface, kind
ORDER BY mentions DESC, surface, kind;
