pub mod score_table;
