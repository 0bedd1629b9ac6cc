//! A category a page at a time (issue 25 item 2): the window lists a tile's first page and
//! "Show more" the next, online from the server and offline from the offline copy, by the
//! same cursor rule: every row once, in the list's order.

use chartdesk::AppError;
use chartdesk_domain::Category;

use crate::local_cloud::cloud;
use crate::network_switch::{signed_in_via, NetworkSwitch};

/// Every page of `category` from the first, `limit` rows at a time: the ids in order.
async fn paged(s: &chartdesk::Services, mrn: &str, limit: u32) -> Vec<String> {
    let (mut ids, mut after) = (Vec::new(), None::<String>);
    loop {
        let page = s
            .documents()
            .list_page(mrn, "lab", after.as_deref(), limit)
            .await
            .unwrap();
        assert!(page.rows.len() <= limit as usize);
        ids.extend(page.rows.into_iter().map(|r| r.id));
        match page.next {
            Some(next) => after = Some(next),
            None => return ids,
        }
    }
}

#[tokio::test]
async fn pages_give_every_row_once_in_order_online_and_offline() {
    cloud().seed_patient("30000044", &[Category::Lab; 5]).await;
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "document-pages", "dr.okafor").await;
    // The find keeps the offline copy the offline pages come from.
    s.patients().find("MRN 30000044").await.unwrap();
    let whole: Vec<String> = s
        .documents()
        .list("30000044", "lab")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(whole.len(), 5);
    assert_eq!(paged(&s, "30000044", 2).await, whole, "online");

    switch.cut();
    assert_eq!(paged(&s, "30000044", 2).await, whole, "offline, same pages");
    let gone = s
        .documents()
        .list_page("30000044", "lab", Some("not-a-row"), 2)
        .await
        .unwrap_err();
    assert!(matches!(gone, AppError::ListChanged), "{gone}");
}
