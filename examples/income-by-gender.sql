-- The aggregate as a SQL job: one SELECT over the scenario's views, through the SQL guard.
-- Run it:  shuyu job dev --scenario inc --sql "$(cat examples/income-by-gender.sql)"
--
-- What the gate will say: the output is `accounted-aggregate` (the statement is the ledger
-- query itself); cells of a thousand people and more pass; a reviewer approves it.
-- Selecting id_number would be refused before the job runs (SQL_DENIED: an identifier may
-- appear only inside count(DISTINCT …) and equality joins and filters).
SELECT gender, count(*)::INTEGER AS n, round(avg(income), -1) AS mean_income
FROM people
GROUP BY gender
ORDER BY gender
