// Package taskflow takes the actions on a task (acknowledge, report,
// close, return, reassign, note) as one call: the report protocol of the
// field. A report's photos arrive staged (skygrid.PhotoStage, received by
// the API as the form streams in); the action is checked first (version,
// role, state: no photo is decoded for a report that cannot be taken),
// then the user's photo rate, then the photos are read, checked against
// the event and stamped, and stored with the task in one transaction of
// the store (skygrid.TaskService.UpdateTask, which writes the audit line
// and the notifications). The staged files reach the photo store only
// when the report is stored, and are removed when it is not.
//
// It speaks no HTTP and no SQL: the API parses the request and answers,
// the store stores. It is not in dispatch (the pipeline of fires) nor in
// evidence (what a photo is and where its files live), which it uses
// through the root package's interfaces.
package taskflow
