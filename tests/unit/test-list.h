/*
 * Every unit test, by name. A test is defined with TEST(name) in one of
 * the test-<module>.c files and listed here once.
 */
#define TEST_LIST(X)                                                          \
	X(buf_basic)                                                          \
	X(chart_ticks_legend_titles)                                          \
	X(chart_time_axis_and_gantt)                                          \
	X(run_facts_from_events)                                              \
	X(config_precedence_and_checks)                                       \
	X(dl_load_on_first_use)                                               \
	X(buf_max)                                                            \
	X(buf_json)                                                           \
	X(csv_bom_crlf_quotes)                                                \
	X(csv_unterminated_quote)                                             \
	X(csv_field_writer)                                                   \
	X(num_cells)                                                          \
	X(num_fast_path_matches_strtod)                                       \
	X(num_format_matches_printf)                                          \
	X(num_format_shortest)                                                \
	X(time_strict)                                                        \
	X(time_lenient_and_zones)                                             \
	X(time_clock_and_dates)                                               \
	X(time_durations)                                                     \
	X(time_civil_round_trip)                                              \
	X(strmap_intern)                                                      \
	X(table_sort_and_write)                                               \
	X(table_merge)                                                        \
	X(csv_row_diff_by_key)                                                \
	X(csvsrc_history_export)                                              \
	X(csvsrc_index_column_and_no_station)                                 \
	X(csvsrc_airbkk_long)                                                 \
	X(csvsrc_web_report)                                                  \
	X(csvsrc_unknown_layout)                                              \
	X(csvsrc_long_any_order)                                              \
	X(csvsrc_thai_web_report)                                             \
	X(csvsrc_title_lines_before_header)                                              \
	X(contract_default)                                                   \
	X(contract_files_load)                                                \
	X(contract_errors_name_line_and_column)                               \
	X(clean_duplicates_keep_last_after_exact)                             \
	X(clean_validation_and_gate)                                          \
	X(clean_interpolates_gaps_up_to_three)                                \
	X(source_bad_bodies)                                                  \
	X(source_history_null_and_dash)                                       \
	X(source_history_api_error)                                           \
	X(source_air4thai_strings_and_no_data)                                \
	X(source_waqi_aqi_and_clock)                                          \
	X(source_openaq_sentinels)                                            \
	X(http_redact_and_backoff)                                            \
	X(store_put_commit_get_list)                                          \
	X(store_branch_diff_merge)                                            \
	X(store_three_way_merge_and_conflict)                                 \
	X(store_revert_log_tag)                                               \
	X(store_refuses_bad_names)                                            \
	X(store_concurrent_writers_lose_nothing)                              \
	X(store_premerge_hook_is_a_gate)                                      \
	X(aqi_thai_every_edge)                                                \
	X(aqi_us_every_edge)                                                  \
	X(aqi_thai_categories)                                                \
	X(model_fit_matches_reference)                                        \
	X(model_ridge_and_weather_match_reference)                            \
	X(model_too_little_data)                                              \
	X(cron_parse_errors)                                                  \
	X(cron_next_bangkok)                                                  \
	X(cron_next_daylight_saving)                                          \
	X(cron_time_zones)
