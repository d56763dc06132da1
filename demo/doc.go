// Package demo is the invented part of `skygrid demo`: the registries,
// township boundaries, cropland and report photos it makes up (all marked
// 示例), the plan of what each official and grid supervisor does with a
// task, and the replay of October 2023's real FIRMS passes through the
// dispatch pipeline at the hour each would have arrived.
package demo
