package store

import "context"

// NotificationIDsOfRecipient lists the ids of a citizen's notifications
// after afterID, in id order (UUIDv7: deposit order), for the export of
// everything the platform holds about him (LOPDP access and portability).
func (tx *Tx) NotificationIDsOfRecipient(ctx context.Context, recipientID, afterID string, limit int) ([]string, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT CAST(id AS TEXT) FROM notifications WHERE recipient_id = $1 AND CAST(id AS TEXT) > $2
		ORDER BY CAST(id AS TEXT) LIMIT $3`, recipientID, afterID, limit)
	if err != nil {
		return nil, wrap("notifications of recipient", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, wrap("notifications of recipient", err)
		}
		ids = append(ids, id)
	}
	return ids, wrap("notifications of recipient", rows.Err())
}
